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

function card(m, go) {
	const name = clean(m.name);
	const sys = m.system && typeof m.system === 'object' ? m.system : null;
	const open = (view) => (e) => {
		e.preventDefault();
		go(view, m.name);
	};
	const head = h('div', { class: 'card-head' },
	    h('h2', null, h('a', { href: '#member/' + encodeURIComponent(m.name),
		'data-focus': 'm:' + m.name, onclick: open('member') }, name)),
	    badge(m.state),
	    m.membership ? badge(m.membership, 'membership') : null);
	const mem = sys && sys.memory ? sys.memory : null;
	const body = [];
	if (sys) {
		body.push(facts([
		    ['health', badge(m.health)],
		    ['host', clean(sys.hostname)],
		    ['system', clean(sys.os && sys.os.pretty_name)],
		    ['kernel', clean(sys.kernel && sys.kernel.release)],
		    ['uptime', duration(sys.uptime)],
		    ['load', Array.isArray(sys.load) ? sys.load.map((x) => num(x)).join('  ') : '—'],
		    ['memory', mem ? `${bytes(mem.available)} free of ${bytes(mem.total)}` : '—'],
		    ['CPUs', sys.cpus],
		    ['last change', m.membership_changed_ms ? clock(m.membership_changed_ms) : '—'],
		]));
	} else {
		body.push(facts([
		    ['health', badge(m.health || 'unknown')],
		    ['address', `${clean(m.address)} port ${clean(m.port)}`],
		    ['error', clean(m.error || 'no answer')],
		    ['last change', m.membership_changed_ms ? clock(m.membership_changed_ms) : '—'],
		]));
	}
	const links = h('p', { class: 'card-links' },
	    h('a', { href: '#metrics/' + encodeURIComponent(m.name), 'data-focus': 'g:' + m.name,
		onclick: open('metrics') }, 'metrics'));
	return h('article', { class: `card s-${m.state === 'up' ? 'up' : 'down'}`,
	    'data-member': m.name, 'data-state': m.state }, head, body, links);
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
