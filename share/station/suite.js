// suite.js: the other daemons of the suite as smsd reads them: the ss
// host table (libcsstat), the availability summary (samd's report code),
// rpc.statd's monitored hosts and pending notifications, on the chosen
// member.  A daemon that is not installed or not running is said so, with
// smsd's reason.
import { h, clean, getJSON, memberPath, every, badge, facts, duration, clock, num, errorBox } from './api.js';

export const perMember = true;

// Any JSON value as text, tables and lists (for shapes the view does not
// know field by field).
function show(v) {
	if (v === null || v === undefined)
		return '—';
	if (Array.isArray(v)) {
		if (v.length === 0)
			return h('span', { class: 'muted' }, 'none');
		if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x)))
			return table(v);
		return v.map((x) => clean(typeof x === 'object' ? JSON.stringify(x) : x)).join(', ');
	}
	if (typeof v === 'object')
		return facts(Object.entries(v).map(([k, x]) => [clean(k), show(x)]));
	return clean(v);
}

function table(rows) {
	const keys = [];
	for (const r of rows)
		for (const k of Object.keys(r))
			if (!keys.includes(k))
				keys.push(k);
	return h('div', { class: 'scroll' }, h('table', { class: 'grid' },
	    h('thead', null, h('tr', null, keys.map((k) => h('th', null, clean(k))))),
	    h('tbody', null, rows.map((r) => h('tr', null, keys.map((k) => h('td', null, show(r[k]))))))));
}

function unavailable(r) {
	return h('p', { class: 'notice absent' }, badge('inactive'), ' Not available: ',
	    clean(r.reason || 'no reason given'));
}

function ssView(r) {
	if (!r.available)
		return unavailable(r);
	const hosts = Array.isArray(r.hosts) ? r.hosts : [];
	const load = (x) => Array.isArray(x.load) ? x.load.map((v) => num(v)).join(' ') : num(x.load1);
	return [h('p', { class: 'muted' }, `${hosts.length} hosts in ${clean(r.directory)}`),
	    h('div', { class: 'scroll' }, h('table', { class: 'grid ss' },
		h('thead', null, h('tr', null, ['host', 'state', 'uptime', 'users', 'load', 'usr %', 'sys %', 'idle', 'age']
		    .map((t, i) => h('th', { class: i >= 2 ? 'num' : null }, t)))),
		h('tbody', null, hosts.map((x) => h('tr', { 'data-host': x.name },
		    h('td', null, clean(x.name)), h('td', null, badge(x.state)),
		    h('td', { class: 'num' }, x.state === 'up' ? duration(x.uptime_seconds)
			: typeof x.down_seconds === 'number' ? `down ${duration(x.down_seconds)}` : '—'),
		    h('td', { class: 'num' }, x.users ?? '—'),
		    h('td', { class: 'num' }, load(x)),
		    h('td', { class: 'num' }, x.usr_percent ?? '—'),
		    h('td', { class: 'num' }, x.sys_percent ?? '—'),
		    h('td', { class: 'num' }, x.idle_seconds == null ? '—' : duration(x.idle_seconds)),
		    h('td', { class: 'num' }, duration(x.age_seconds)))))))];
}

function secondsClock(t) {
	return typeof t === 'number' ? clock(t * 1000) : '—';
}

// samrep's SUMMARY: the period, then one row per object.
function availView(r) {
	if (!r.available)
		return unavailable(r);
	const sm = r.summary || {};
	const objs = Array.isArray(sm.objects) ? sm.objects : [];
	return [facts([
	    ['node', clean(sm.node)],
	    ['period', `${secondsClock(sm.begin)} – ${secondsClock(sm.end)} (${duration(sm.period_seconds)})`],
	    ['events', sm.event_count],
	    ['planned down counts as up', sm.planned_counts_as_up ? 'yes' : 'no'],
	    ['log', clean(r.log)],
	]),
	h('div', { class: 'scroll' }, h('table', { class: 'grid avail' },
	    h('thead', null, h('tr', null, ['type', 'object', 'state', 'up %', 'downs', 'unplanned down', 'planned down', 'last down', 'changes']
		.map((t, i) => h('th', { class: i >= 3 && i !== 7 ? 'num' : null }, t)))),
	    h('tbody', null, objs.map((o) => h('tr', { 'data-object': o.name },
		h('td', null, clean(o.type)), h('td', null, clean(o.name)),
		h('td', null, o.state == null ? '—' : badge(String(o.state).toLowerCase())),
		h('td', { class: 'num' }, typeof o.up_percent === 'number' ? num(o.up_percent, 4) : '—'),
		h('td', { class: 'num' }, o.downs ?? '—'),
		h('td', { class: 'num' }, duration(o.unplanned_down_seconds)),
		h('td', { class: 'num' }, duration(o.planned_down_seconds)),
		h('td', null, secondsClock(o.last_down)),
		h('td', { class: 'num' }, o.changes ?? '—'))))))];
}

function statdView(r) {
	if (!r.available)
		return unavailable(r);
	const mon = Array.isArray(r.monitored) ? r.monitored : [];
	const pend = Array.isArray(r.pending) ? r.pending : [];
	return [facts([
	    ['rpc.statd', r.running ? badge('up') : h('span', null, badge('inactive'), ' not running')],
	    ['NSM state', r.state],
	    ['monitored', mon.length],
	    ['pending notifications', pend.length],
	]),
	h('h3', null, 'Monitored hosts'), show(mon),
	h('h3', null, 'Pending notifications'), show(pend)];
}

export function mount(root, ctx) {
	const parts = [
	    ['ss: host status', 'suite/ss', ssView],
	    ['Availability (samrep summary)', 'suite/availability', availView],
	    ['rpc.statd: NSM', 'suite/statd', statdView],
	].map(([title, res, draw]) => {
		const path = memberPath(ctx.member, res);
		const el = h('div', null, h('p', { class: 'muted' }, 'loading…'));
		root.append(h('section', { class: 'panel', 'data-part': path }, h('h2', null, title), el));
		return { path, draw, el };
	});
	root.prepend(h('h1', null, 'Suite ', h('span', { class: 'who' }, clean(ctx.member))));
	return every(5000, async (signal) => {
		for (const p of parts) {
			try {
				const r = await getJSON(p.path, signal);
				p.el.replaceChildren(...[].concat(p.draw(r)));
			} catch (e) {
				if (e.name === 'AbortError')
					throw e;
				p.el.replaceChildren(e.status === 404
				    ? h('p', { class: 'notice' }, `This smsd does not serve ${p.path} (not found).`)
				    : errorBox(e, p.path));
			}
		}
	});
}
