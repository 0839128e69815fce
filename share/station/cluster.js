// cluster.js: a card per member of /v1/cluster, polled every 2 s (smsd
// caches the view for 1 s), so a member going down or coming back shows
// within a few seconds without a reload.
import { h, clean, getJSON, every, badge, facts, bytes, duration, clock, num, errorBox } from './api.js';

export const perMember = false;
const listeners = [];
export function onData(f) {
	listeners.push(f);
}
let firstData = false;

// How bad each word is: a card is emphasised after the worst of its
// member's state, membership and health, so a member that is up but
// critical does not look fine.  A word not known here counts as a warning.
const RANK = { up: 0, member: 0, good: 0, warning: 1, left: 1, inactive: 1, unknown: 1,
    critical: 2, unreachable: 2, down: 2 };
const EMPHASIS = ['good', 'warn', 'bad'];
export function emphasis(words) {
	let worst = 0;
	for (const w of words) {
		const r = Object.prototype.hasOwnProperty.call(RANK, w) ? RANK[w] : 1;
		worst = Math.max(worst, r);
	}
	return EMPHASIS[worst];
}

// The newer of the member's last membership change (corosync's) and the
// last change of its state that smsd saw; '—' when neither is known.
function lastChange(m) {
	const t = [m.membership_changed_ms, m.state_changed_ms].filter((x) => typeof x === 'number');
	return t.length ? clock(Math.max(...t)) : '—';
}

// "state ↑ up": a word with its icon, and what it is the word for.
function status(kind, word) {
	return h('span', { class: 'pair', 'data-kind': kind }, h('span', { class: 'lbl' }, kind), badge(word));
}

function card(m, go) {
	const name = clean(m.name);
	const sys = m.system && typeof m.system === 'object' ? m.system : null;
	const open = (view) => (e) => {
		e.preventDefault();
		go(view, m.name);
	};
	const state = typeof m.state === 'string' ? m.state : 'unknown';
	const health = typeof m.health === 'string' ? m.health : 'unknown';
	const words = [state, health];
	if (typeof m.membership === 'string')
		words.push(m.membership);
	const head = h('div', { class: 'card-head' },
	    h('h2', null, h('a', { href: '#member/' + encodeURIComponent(m.name),
		'data-focus': 'm:' + m.name, onclick: open('member') }, name)),
	    h('p', { class: 'card-status' }, status('state', state),
		typeof m.membership === 'string' ? status('membership', m.membership) : null,
		status('health', health)));
	const mem = sys && sys.memory ? sys.memory : null;
	const body = [];
	if (sys) {
		body.push(facts([
		    ['host', clean(sys.hostname)],
		    ['system', clean(sys.os && sys.os.pretty_name)],
		    ['kernel', clean(sys.kernel && sys.kernel.release)],
		    ['uptime', duration(sys.uptime)],
		    ['load', Array.isArray(sys.load) ? sys.load.map((x) => num(x)).join('  ') : '—'],
		    ['memory', mem ? `${bytes(mem.available)} free of ${bytes(mem.total)}` : '—'],
		    ['CPUs', sys.cpus],
		    ['last change', lastChange(m)],
		]));
	} else {
		body.push(facts([
		    ['address', `${clean(m.address)} port ${clean(m.port)}`],
		    ['error', clean(m.error || 'no answer')],
		    ['last change', lastChange(m)],
		]));
	}
	const links = h('p', { class: 'card-links' },
	    h('a', { href: '#metrics/' + encodeURIComponent(m.name), 'data-focus': 'g:' + m.name,
		onclick: open('metrics') }, 'metrics'));
	const e = emphasis(words);
	return h('article', { class: `card e-${e}`, 'data-member': m.name, 'data-state': m.state,
	    'data-emphasis': e }, head, body, links);
}

export function mount(root, ctx) {
	const summary = h('p', { class: 'summary', 'aria-live': 'polite' }, 'asking smsd for the cluster…');
	const grid = h('div', { class: 'cards' });
	const err = h('div');
	root.append(h('h1', null, 'Cluster'), summary, err, grid);
	return every(2000, async (signal) => {
		let c;
		try {
			c = await getJSON('/v1/cluster', signal);
		} catch (e) {
			if (e.name !== 'AbortError')
				err.replaceChildren(errorBox(e, 'cluster view'));
			throw e;
		}
		err.replaceChildren();
		for (const f of listeners)
			f(c);
		const focused = document.activeElement && document.activeElement.dataset
		    ? document.activeElement.dataset.focus : undefined;
		const list = Array.isArray(c.members) ? c.members : [];
		grid.replaceChildren(...list.map((m) => card(m, ctx.go)));
		summary.replaceChildren(
		    `${c.members_up} of ${c.members_total} members up`,
		    c.membership_source ? ` · membership from ${clean(c.membership_source)}` : '',
		    c.quorate === true ? ' · quorate' : c.quorate === false ? ' · NOT quorate' : '');
		if (focused)
			for (const el of grid.querySelectorAll('[data-focus]'))
				if (el.dataset.focus === focused)
					el.focus();
		if (!firstData && list.length > 0) {
			firstData = true;
			performance.mark('station-first-data');
			document.body.dataset.firstData = String(Math.round(performance.now()));
		}
	});
}
