// api.js: what every view shares: element building (text only, never
// markup), reading smsd's /v1 resources, the event stream, formatting.

// h('div', {class: 'x', 'aria-label': 'y'}, child, 'text', ...): an element
// whose text children become text nodes, so hostile strings stay text.
export function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false)
			continue;
		if (k.startsWith('on'))
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.className = v;
		else
			el.setAttribute(k, v === true ? '' : String(v));
	}
	append(el, kids);
	return el;
}

function append(el, kids) {
	for (const k of kids) {
		if (k === undefined || k === null || k === false)
			continue;
		if (Array.isArray(k))
			append(el, k);
		else if (k instanceof Node)
			el.appendChild(k);
		else
			el.appendChild(document.createTextNode(String(k)));
	}
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs, ...kids) {
	const el = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {}))
		el.setAttribute(k, String(v));
	for (const k of kids)
		el.appendChild(k instanceof Node ? k : document.createTextNode(String(k)));
	return el;
}

// Control characters shown as visible escapes (a name or message may hold
// them; they must neither vanish nor break the layout).
export function clean(v) {
	if (v === undefined || v === null)
		return '';
	return String(v).replace(/[\u0000-\u001f\u007f]/g,
	    (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

export class HttpError extends Error {
	constructor(status, text) {
		super(`${status} ${text}`);
		this.status = status;
	}
}

// GET a JSON resource.  Network trouble or a non-2xx answer throws; the
// connection indicator follows every answer.
export async function getJSON(path, signal) {
	let r;
	try {
		r = await fetch(path, { signal, headers: { Accept: 'application/json' },
		    cache: 'no-store' });
	} catch (e) {
		if (e.name !== 'AbortError')
			link.set(false, 'smsd unreachable');
		throw e;
	}
	link.set(true);
	let body = null;
	try {
		body = await r.json();
	} catch (e) {
		body = null;
	}
	if (!r.ok) {
		// smsd's errors: {"error": {"code": N, "message": "..."}}
		const e = body && body.error;
		const err = new HttpError(r.status, e && typeof e === 'object' ? e.message : e || r.statusText);
		err.body = body;
		throw err;
	}
	return body;
}

// The serving smsd's own member name answers locally; any other member
// through the serving smsd (the page may talk only to its own origin).
export const station = { local: null };
export function memberPath(member, res) {
	if (!member || member === station.local)
		return `/v1/${res}`;
	return `/v1/members/${encodeURIComponent(member)}/${res}`;
}

// Connection state, shown in the header; views call set(), the header listens.
export const link = {
	ok: null, why: '', listeners: [],
	set(ok, why = '') {
		if (ok === this.ok && why === this.why)
			return;
		this.ok = ok;
		this.why = why;
		for (const f of this.listeners)
			f(ok, why);
	},
};

// Run fn now and then every ms milliseconds (after each run ends) until
// the returned stop() is called.  Errors are fn's to show.
export function every(ms, fn) {
	let timer = null, stopped = false;
	const ctl = new AbortController();
	const tick = async () => {
		try {
			await fn(ctl.signal);
		} catch (e) {
			if (e.name !== 'AbortError')
				console.debug('station:', e.message);
		}
		if (!stopped)
			timer = setTimeout(tick, ms);
	};
	tick();
	return () => {
		stopped = true;
		clearTimeout(timer);
		ctl.abort();
	};
}

// The event stream, through an EventSource.  With frames=message smsd
// sends every event as a plain "message" whose JSON data has the event's
// name; its id lets the browser resume after the last event it got
// (Last-Event-ID) when the connection is lost, after smsd's "retry:"
// delay.  Frames without a seq are smsd's own: smsd.stopping (the stream
// ends, the browser reconnects by itself), smsd.gap (events after the
// last id are no longer kept: onNotice), smsd.reset (an smsd back
// without its event history numbers from 1 again: this stream ends and
// onReset is called, so the caller starts over).  An id already
// delivered is dropped.
export function openStream(query, onEvent, onState, onReset, onNotice) {
	let lastId = query.since || 0, es = null, stopped = false, timer = null;

	const url = () => {
		const q = new URLSearchParams({ frames: 'message' });
		if (query.name)
			q.set('name', query.name);
		if (query.priority)
			q.set('priority', query.priority);
		if (lastId > 0)
			q.set('since', String(lastId));
		return '/v1/events/stream?' + q;
	};
	const stop = () => {
		stopped = true;
		clearTimeout(timer);
		if (es)
			es.close();
	};
	const smsdFrame = (f) => {
		if (f.name === 'smsd.reset') {
			stop();
			onReset();
		} else if (f.name === 'smsd.gap') {
			if (onNotice)
				onNotice(clean(f.message));
		} else if (f.name === 'smsd.stopping') {
			onState('reconnecting');
		}
	};
	const open = () => {
		es = new EventSource(url());
		es.onopen = () => {
			link.set(true);
			onState('live');
		};
		es.onmessage = (m) => {
			let ev;
			try {
				ev = JSON.parse(m.data);
			} catch (e) {
				return;
			}
			if (ev === null || typeof ev !== 'object')
				return;
			if (typeof ev.seq !== 'number') {
				smsdFrame(ev);
				return;
			}
			if (ev.seq <= lastId)
				return;		// already delivered
			lastId = ev.seq;
			onEvent(ev);
		};
		es.onerror = () => {
			if (stopped)
				return;
			onState('reconnecting');
			if (es.readyState === EventSource.CONNECTING) {
				// the browser reconnects by itself, with Last-Event-ID
				link.set(false, 'smsd unreachable');
				return;
			}
			// CLOSED: an answer that was no stream (an error status);
			// a new EventSource resumes after the last id (since=)
			es.close();
			timer = setTimeout(open, 2000);
		};
	};
	open();
	return stop;
}

// --- formatting: the values are smsd's, only their units are chosen here
export function bytes(n) {
	if (typeof n !== 'number' || !Number.isFinite(n))
		return '—';
	const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
	let i = 0;
	while (Math.abs(n) >= 1024 && i < u.length - 1) {
		n /= 1024;
		i++;
	}
	return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 1 : 0)) + ' ' + u[i];
}

export function rate(n) {
	return typeof n === 'number' ? bytes(n) + '/s' : '—';
}

export function duration(sec) {
	if (typeof sec !== 'number' || !Number.isFinite(sec))
		return '—';
	sec = Math.floor(sec);
	const d = Math.floor(sec / 86400), hh = Math.floor(sec % 86400 / 3600),
	    mm = Math.floor(sec % 3600 / 60);
	if (d > 0)
		return `${d}d ${hh}h`;
	if (hh > 0)
		return `${hh}h ${mm}m`;
	return mm > 0 ? `${mm}m ${sec % 60}s` : `${sec}s`;
}

export function clock(ms) {
	if (typeof ms !== 'number')
		return '—';
	const d = new Date(ms), p = (x) => String(x).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
	    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function num(v, digits = 2) {
	return typeof v === 'number' ? v.toFixed(digits) : '—';
}

// Health as an icon and a word, never colour alone.
const ICONS = {
	good: 'M3 8.5l3 3 7-7',
	warning: 'M8 2l6.5 12h-13zM8 6.5v3.5M8 12v.5',
	critical: 'M4 4l8 8M12 4l-8 8',
	inactive: 'M3 8h10',
	up: 'M8 13V3M4 7l4-4 4 4',
	down: 'M8 3v10M4 9l4 4 4-4',
	unreachable: 'M3 3l10 10M13 3L3 13',
	left: 'M13 8H3M7 4L3 8l4 4',
	member: 'M8 7.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM3 14c0-2.8 2.2-4.5 5-4.5s5 1.7 5 4.5',
	unknown: 'M6 6a2 2 0 1 1 2.8 1.8c-.5.3-.8.7-.8 1.3v.6M8 12.5v.5',
};
export function badge(word, extraClass = '') {
	const w = word == null ? 'unknown' : clean(word);
	const icon = s('svg', { viewBox: '0 0 16 16', width: 14, height: 14,
	    'aria-hidden': 'true', class: 'icon' },
	    ICONS[w] ? s('path', { d: ICONS[w] }) : s('circle', { cx: 8, cy: 8, r: 5 }));
	const known = /^[a-z]+$/.test(w) ? w : 'unknown';
	return h('span', { class: `badge b-${known} ${extraClass}`.trim() }, icon, w);
}

// A labelled list of values.
export function facts(pairs) {
	const dl = h('dl', { class: 'facts' });
	for (const [k, v] of pairs) {
		if (v === undefined)
			continue;
		dl.append(h('dt', null, k), h('dd', null, v instanceof Node ? v : clean(v)));
	}
	return dl;
}

// A usage bar: width set through CSSOM (allowed by the CSP), the number
// beside it in text.
export function bar(percent, label) {
	const p = typeof percent === 'number' ? Math.max(0, Math.min(100, percent)) : 0;
	const fill = h('span', { class: 'fill' + (p >= 90 ? ' hot' : p >= 75 ? ' warm' : '') });
	fill.style.width = p + '%';
	return h('span', { class: 'bar', role: 'img', 'aria-label': label }, fill);
}

export function errorBox(e, what) {
	return h('p', { class: 'notice', role: 'status' },
	    `${what}: ${e && e.message ? clean(e.message) : 'failed'}`);
}
