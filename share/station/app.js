// app.js: the station's frame: tabs, the member picker, the connection
// line, and routing by the location's hash (#cluster, #member/NAME,
// #events, #metrics/NAME, #suite/NAME).  Each view is its own module.
performance.mark('station-script');
import { h, clean, getJSON, station, link, every } from './api.js';
import * as cluster from './cluster.js';

// The cluster view comes first and with the page; the others are loaded
// when first shown, so the first data does not wait for their code.
const views = {
	cluster: { perMember: false, load: async () => cluster },
	member: { perMember: true, load: () => import('./member.js') },
	events: { perMember: false, load: () => import('./events.js') },
	metrics: { perMember: true, load: () => import('./metrics.js') },
	suite: { perMember: true, load: () => import('./suite.js') },
};
const root = document.getElementById('view');
const pick = document.getElementById('member-pick');
const tabs = [...document.querySelectorAll('[role=tab]')];
let current = null, stopView = null, members = [];

function route() {
	const [view, arg] = location.hash.replace(/^#/, '').split('/');
	const name = views[view] ? view : 'cluster';
	let who = arg ? decodeURIComponent(arg) : pick.value || station.local;
	return { name, who };
}

function show() {
	const { name, who } = route();
	if (who && who !== pick.value)
		setPick(who);
	const key = name + '/' + (views[name].perMember ? who : '');
	if (key === current)
		return;
	current = key;
	if (stopView)
		stopView();
	for (const t of tabs) {
		const on = t.dataset.view === name;
		t.setAttribute('aria-selected', on ? 'true' : 'false');
		t.tabIndex = on ? 0 : -1;
	}
	root.setAttribute('aria-labelledby', 'tab-' + name);
	root.replaceChildren();
	stopView = null;
	views[name].load().then((mod) => {
		if (current !== key)
			return;		// another view was chosen meanwhile
		document.body.dataset.view = name;
		stopView = mod.mount(root, { member: who, go });
	}, (e) => {
		root.replaceChildren(h('p', { class: 'notice' }, `cannot load the ${name} view: ${clean(e.message)}`));
	});
}

// go('member', 'h2'): change the hash (so Back works), which shows it.
function go(view, who) {
	const hash = '#' + view + (who && views[view].perMember ? '/' + encodeURIComponent(who) : '');
	if (location.hash === hash)
		show();
	else
		location.hash = hash;
}

function setPick(who) {
	if (![...pick.options].some((o) => o.value === who))
		pick.append(h('option', { value: who }, clean(who)));
	pick.value = who;
}

function fillPick(list) {
	const names = list.map((m) => m.name);
	if (names.join('\n') === members.join('\n'))
		return;
	members = names;
	const keep = pick.value;
	pick.replaceChildren(...names.map((n) => h('option', { value: n }, clean(n))));
	if (keep)
		setPick(keep);
}

for (const t of tabs) {
	t.addEventListener('click', () => go(t.dataset.view, pick.value));
	// arrow keys move between tabs, as in any tab list
	t.addEventListener('keydown', (e) => {
		const i = tabs.indexOf(t);
		let j = null;
		if (e.key === 'ArrowRight')
			j = (i + 1) % tabs.length;
		else if (e.key === 'ArrowLeft')
			j = (i - 1 + tabs.length) % tabs.length;
		else if (e.key === 'Home')
			j = 0;
		else if (e.key === 'End')
			j = tabs.length - 1;
		if (j === null)
			return;
		e.preventDefault();
		tabs[j].focus();
		go(tabs[j].dataset.view, pick.value);
	});
}
pick.addEventListener('change', () => {
	const { name } = route();
	go(views[name].perMember ? name : 'member', pick.value);
});

const linkEl = document.getElementById('link');
link.listeners.push((ok, why) => {
	linkEl.replaceChildren(h('span', { class: ok ? 'dot ok' : 'dot down', 'aria-hidden': 'true' }),
	    ok ? 'connected' : `${why || 'disconnected'}, retrying`);
	linkEl.className = 'link ' + (ok ? 'ok' : 'down');
});

// The member list (for the picker) comes from the cluster view's poll
// and from this slow one, so the picker is right on every view.
export function learnMembers(c) {
	if (c && typeof c.member === 'string') {
		if (station.local === null) {
			station.local = c.member;
			document.getElementById('served').textContent = 'served by ' + clean(c.member);
		}
		fillPick(Array.isArray(c.members) ? c.members : []);
	}
}
cluster.onData(learnMembers);

function start() {
	every(10000, async (signal) => {
		if (current && current.startsWith('cluster/'))
			return;		// the cluster view polls it already
		try {
			learnMembers(await getJSON('/v1/cluster', signal));
		} finally {
			if (!current)
				show();
		}
	});
}
window.addEventListener('hashchange', show);
// The cluster view needs no member name: show it at once; other views
// wait for the first member list (they need the local member's name).
if (route().name === 'cluster')
	show();
start();
