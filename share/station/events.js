// events.js: the serving smsd's events, live.  The newest events from
// /v1/events, then the stream (an EventSource) from the last id seen,
// resumed by the browser after a lost connection; name pattern and
// least priority filter both (smsd applies them); pause keeps what
// arrives (bounded) and shows it on resume; at most MAX rows, drawn in
// batches, so a flood of events cannot freeze the page.
import { h, clean, getJSON, openStream, clock, errorBox } from './api.js';

export const perMember = false;
const MAX = 500;
const BATCH_MS = 100;
const PRIORITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

function prioClass(p) {
	return typeof p === 'number' ? (p >= 400 ? 'p-bad' : p >= 300 ? 'p-warn' : 'p-info') : 'p-info';
}

export function eventRow(e) {
	return h('tr', { 'data-seq': e.seq },
	    h('td', { class: 'num' }, e.seq),
	    h('td', { class: 'nowrap' }, clock(e.time_ms)),
	    h('td', null, h('span', { class: 'prio ' + prioClass(e.priority) }, clean(e.priority_name))),
	    h('td', { class: 'wrap name' }, clean(e.name)),
	    h('td', null, clean(e.source)),
	    h('td', { class: 'wrap msg' }, clean(e.message)));
}

function head() {
	return h('thead', null, h('tr', null, ['#', 'time', 'priority', 'name', 'source', 'message']
	    .map((t) => h('th', null, t))));
}

export function eventTable(list, empty) {
	if (list.length === 0)
		return h('p', { class: 'muted' }, empty);
	return h('div', { class: 'scroll' }, h('table', { class: 'grid events' }, head(),
	    h('tbody', null, list.map(eventRow))));
}

export function mount(root) {
	const name = h('input', { type: 'search', id: 'ev-name', placeholder: 'name pattern, e.g. hostmon.*',
	    'aria-label': 'Event name pattern', autocomplete: 'off', spellcheck: 'false' });
	const prio = h('select', { id: 'ev-prio', 'aria-label': 'Least priority' },
	    h('option', { value: '' }, 'any priority'),
	    PRIORITIES.map((p) => h('option', { value: p }, `${p} and above`)));
	const pause = h('button', { type: 'button', class: 'btn', id: 'ev-pause', 'aria-pressed': 'false' }, 'Pause');
	const state = h('span', { class: 'live', id: 'ev-state', role: 'status' }, 'connecting');
	const count = h('span', { class: 'muted', id: 'ev-count' });
	const err = h('div');
	const tbody = h('tbody', { id: 'ev-rows' });
	root.append(h('h1', null, 'Events'),
	    h('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
		name, prio, pause, state, count),
	    err,
	    h('div', { class: 'scroll' }, h('table', { class: 'grid events' }, head(), tbody)));

	let stop = null, pending = [], seen = new Set(), paused = false, timer = null, gen = 0, dropped = 0;

	const flush = () => {
		timer = null;
		if (paused || pending.length === 0)
			return;
		const batch = pending.slice(-MAX);
		pending = [];
		const frag = document.createDocumentFragment();
		for (let i = batch.length - 1; i >= 0; i--)
			frag.appendChild(eventRow(batch[i]));
		tbody.prepend(frag);
		while (tbody.rows.length > MAX) {
			const last = tbody.lastElementChild;
			seen.delete(Number(last.dataset.seq));
			last.remove();
		}
		count.textContent = `${tbody.rows.length} shown (at most ${MAX})`;
	};
	const push = (e) => {
		if (typeof e.seq !== 'number' || seen.has(e.seq))
			return;
		seen.add(e.seq);
		pending.push(e);
		if (pending.length > MAX * 2) {
			dropped += pending.length - MAX;
			for (const x of pending.splice(0, pending.length - MAX))
				seen.delete(x.seq);
		}
		if (paused) {
			state.dataset.lastWaiting = String(e.seq);
			state.textContent = `paused, ${pending.length} waiting` + (dropped ? ` (${dropped} older not kept)` : '');
		} else if (timer === null)
			timer = setTimeout(flush, BATCH_MS);
	};
	const restart = async () => {
		const mine = ++gen;
		if (stop)
			stop();
		stop = null;
		pending = [];
		seen = new Set();
		dropped = 0;
		tbody.replaceChildren();
		const pat = name.value.trim();
		if (pat && !/^[A-Za-z0-9_.*?-]+$/.test(pat)) {
			err.replaceChildren(h('p', { class: 'notice' },
			    'A name pattern holds letters, digits, “. _ -” and the wildcards * and ?'));
			return;
		}
		err.replaceChildren();
		const q = new URLSearchParams({ limit: '100' });
		if (pat)
			q.set('name', pat);
		if (prio.value)
			q.set('priority', prio.value);
		let since = 0;
		for (;;) {
			try {
				const r = await getJSON('/v1/events?' + q);
				if (mine !== gen)
					return;
				for (const e of r.events || [])
					push(e);
				since = typeof r.next_seq === 'number' ? r.next_seq - 1 : 0;
				break;
			} catch (e) {
				if (mine !== gen)
					return;
				err.replaceChildren(errorBox(e, 'events'));
				state.textContent = 'reconnecting';
				await new Promise((res) => setTimeout(res, 2000));
				if (mine !== gen)
					return;
			}
		}
		err.replaceChildren();
		stop = openStream({ name: pat, priority: prio.value, since }, push, (st) => {
			if (!paused)
				state.textContent = st;
			state.className = 'live ' + st;
		}, restart, (why) => {
			// smsd no longer keeps all that came while the page was away
			err.replaceChildren(h('p', { class: 'notice', role: 'status', id: 'ev-gap' },
			    `Some events were missed: ${why}`));
		});
	};
	let typing = null;
	name.addEventListener('input', () => {
		clearTimeout(typing);
		typing = setTimeout(restart, 300);
	});
	prio.addEventListener('change', restart);
	pause.addEventListener('click', () => {
		paused = !paused;
		pause.textContent = paused ? 'Resume' : 'Pause';
		pause.setAttribute('aria-pressed', paused ? 'true' : 'false');
		if (paused) {
			state.textContent = `paused, ${pending.length} waiting`;
		} else {
			state.textContent = 'live';
			dropped = 0;
			flush();
		}
	});
	restart();
	return () => {
		gen++;
		clearTimeout(timer);
		clearTimeout(typing);
		if (stop)
			stop();
	};
}
