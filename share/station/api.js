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

// The event stream (text/event-stream).  smsd names each frame after its
// event ("event: NAME"), which a browser EventSource delivers only to a
// listener for that exact name; so the stream is read with fetch and
// parsed here.  Like EventSource it reconnects by itself, resuming after
// the last id seen ("since"), and drops an id it has already delivered.
// An smsd back without its event history numbers from 1 again: then
// onReset is called (and this stream ends) so the caller starts over.
export function openStream(query, onEvent, onState, onReset) {
	const ctl = new AbortController();
	let lastId = query.since || 0, stopped = false, delay = 500, lost = false;

	const deliver = (frame) => {
		let id = null, data = [];
		for (const line of frame.split('\n')) {
			if (line.startsWith(':'))
				continue;
			const i = line.indexOf(':');
			const field = i < 0 ? line : line.slice(0, i);
			let value = i < 0 ? '' : line.slice(i + 1);
			if (value.startsWith(' '))
				value = value.slice(1);
			if (field === 'id')
				id = Number(value);
			else if (field === 'data')
				data.push(value);
		}
		if (id === null || !Number.isFinite(id) || data.length === 0)
			return;
		if (id <= lastId)
			return;		// already delivered
		lastId = id;
		let ev;
		try {
			ev = JSON.parse(data.join('\n'));
		} catch (e) {
			return;
		}
		onEvent(ev);
	};

	const run = async () => {
		while (!stopped) {
			const q = new URLSearchParams();
			if (query.name)
				q.set('name', query.name);
			if (query.priority)
				q.set('priority', query.priority);
			if (lastId > 0)
				q.set('since', String(lastId));
			try {
				if (lost && lastId > 0) {
					const r = await getJSON('/v1/events?limit=1', ctl.signal);
					if (typeof r.next_seq === 'number' && r.next_seq - 1 < lastId) {
						stopped = true;
						onReset();
						return;
					}
				}
				const r = await fetch('/v1/events/stream?' + q, { signal: ctl.signal,
				    headers: { Accept: 'text/event-stream' }, cache: 'no-store' });
				if (!r.ok)
					throw new HttpError(r.status, r.statusText);
				link.set(true);
				onState('live');
				delay = 500;
				const reader = r.body.getReader();
				const dec = new TextDecoder();
				let buf = '';
				for (;;) {
					const { value, done } = await reader.read();
					if (done)
						break;
					buf += dec.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
					let k;
					while ((k = buf.indexOf('\n\n')) >= 0) {
						deliver(buf.slice(0, k));
						buf = buf.slice(k + 2);
					}
				}
			} catch (e) {
				if (stopped)
					return;
				if (!(e instanceof HttpError))
					link.set(false, 'smsd unreachable');
			}
			if (stopped)
				return;
			lost = true;
			onState('reconnecting');
			await new Promise((res) => setTimeout(res, delay));
			delay = Math.min(delay * 2, 5000);
		}
	};
	run();
	return () => {
		stopped = true;
		ctl.abort();
	};
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
