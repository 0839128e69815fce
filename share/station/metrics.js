// metrics.js: a member's history ring (/v1/history, or through the
// serving smsd /v1/members/NAME/history) as line charts, redrawn at the
// ring's step.
import { h, clean, getJSON, memberPath, every, bytes, rate, num, clock, errorBox } from './api.js';
import { lineChart } from './chart.js';

export const perMember = true;

function charts(hist) {
	const smp = Array.isArray(hist.samples) ? hist.samples : [];
	if (smp.length === 0)
		return [h('p', { class: 'muted' }, 'No samples yet: smsd takes one every ' +
		    `${clean(hist.step_seconds)} s.`)];
	const times = smp.map((x) => x.time_ms);
	const col = (k, scale = 1) => smp.map((x) => typeof x[k] === 'number' ? x[k] * scale : null);
	const mt = smp.map((x) => x.memory_total_bytes).filter((v) => typeof v === 'number');
	return [
	    lineChart({ title: 'Load (1 min)', times, fmt: (v) => num(v),
		series: [{ label: 'load1', values: col('load1'), cls: 'c1' }] }),
	    lineChart({ title: 'CPU busy', times, max: 100, fmt: (v) => num(v, 0) + ' %',
		series: [{ label: 'busy', values: col('cpu_busy_ratio', 100), cls: 'c1' }] }),
	    lineChart({ title: 'Memory used', times, max: mt.length ? Math.max(...mt) : undefined, fmt: bytes,
		series: [{ label: 'used', values: col('memory_used_bytes'), cls: 'c1' }] }),
	    lineChart({ title: 'Disk', times, fmt: rate,
		series: [{ label: 'read', values: col('disk_read_bytes_per_second'), cls: 'c1' },
		    { label: 'write', values: col('disk_write_bytes_per_second'), cls: 'c2' }] }),
	    lineChart({ title: 'Network', times, fmt: rate,
		series: [{ label: 'rx', values: col('net_rx_bytes_per_second'), cls: 'c1' },
		    { label: 'tx', values: col('net_tx_bytes_per_second'), cls: 'c2' }] }),
	];
}

export function mount(root, ctx) {
	const who = ctx.member;
	const info = h('p', { class: 'muted' }, 'loading…');
	const grid = h('div', { class: 'charts' });
	root.append(h('h1', null, 'Metrics ', h('span', { class: 'who' }, clean(who))), info, grid);
	let step = 10;
	const stop = { fn: null };
	const tick = async (signal) => {
		let hist;
		try {
			hist = await getJSON(memberPath(who, 'history'), signal);
		} catch (e) {
			if (e.name === 'AbortError')
				throw e;
			info.replaceChildren(e.status === 404 && !(e.body && e.body.member)
			    ? h('span', { class: 'notice' }, 'This smsd keeps no history (/v1/history: not found).')
			    : errorBox(e, 'history'));
			return;
		}
		const smp = Array.isArray(hist.samples) ? hist.samples : [];
		info.textContent = `${smp.length} of ${clean(hist.capacity)} samples, every ${clean(hist.step_seconds)} s` +
		    (smp.length ? `; last ${clock(smp[smp.length - 1].time_ms)}` : '');
		grid.replaceChildren(...charts(hist));
		grid.dataset.samples = String(smp.length);
		grid.dataset.lastTime = smp.length ? String(smp[smp.length - 1].time_ms) : '';
		if (typeof hist.step_seconds === 'number' && hist.step_seconds > 0 && hist.step_seconds !== step) {
			step = hist.step_seconds;
			stop.fn();
			stop.fn = every(Math.max(2, step) * 1000, tick);
		}
	};
	stop.fn = every(Math.max(2, step) * 1000, tick);
	return () => stop.fn();
}
