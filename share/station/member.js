// member.js: one member: system and health, the hardware tree, file
// systems, the package list (searched and paged by smsd), recent events.
// Another member's resources come through the serving smsd
// (/v1/members/NAME/...).
import { h, clean, getJSON, memberPath, every, badge, facts, bar, bytes, duration, clock, num, errorBox } from './api.js';
import { eventTable } from './events.js';

export const perMember = true;
const PAGE = 50;

function section(title, ...kids) {
	return h('section', { class: 'panel' }, h('h2', null, title), ...kids);
}

function systemFacts(sys, health) {
	const mem = sys.memory || {};
	const checks = health && Array.isArray(health.checks) ? health.checks : [];
	return [
	    facts([
		['health', badge(sys.health)],
		['host', clean(sys.hostname)],
		['member', clean(sys.member)],
		['system', clean(sys.os && sys.os.pretty_name)],
		['kernel', `${clean(sys.kernel && sys.kernel.sysname)} ${clean(sys.kernel && sys.kernel.release)} ${clean(sys.kernel && sys.kernel.machine)}`],
		['booted', typeof sys.boot_time === 'number' ? clock(sys.boot_time * 1000) : '—'],
		['uptime', duration(sys.uptime)],
		['load', Array.isArray(sys.load) ? sys.load.map((x) => num(x)).join('  ') : '—'],
		['CPUs', sys.cpus],
		['memory', `${bytes(mem.available)} available of ${bytes(mem.total)}`],
		['swap', `${bytes(mem.swap_free)} free of ${bytes(mem.swap_total)}`],
		['processes', sys.process_count],
	    ]),
	    checks.length ? h('div', { class: 'scroll' }, h('table', { class: 'grid checks' },
		h('thead', null, h('tr', null, h('th', null, 'check'), h('th', null, 'state'), h('th', null, 'detail'))),
		h('tbody', null, checks.map((c) => h('tr', null,
		    h('td', null, clean(c.component)), h('td', null, badge(c.state)), h('td', { class: 'wrap' }, clean(c.detail)))))))
		: h('p', { class: 'muted' }, clean(health && health.summary)),
	];
}

// Hardware as an expandable tree (details/summary: keyboard and screen
// readers know it); open nodes stay open across refreshes.
function hardwareTree(hw, openSet) {
	const nodes = Array.isArray(hw.nodes) ? hw.nodes : [];
	const kids = new Map();
	const ids = new Set(nodes.map((n) => n.id));
	for (const n of nodes) {
		const p = n.parent !== null && ids.has(n.parent) ? n.parent : null;
		if (!kids.has(p))
			kids.set(p, []);
		kids.get(p).push(n);
	}
	const attrs = (a) => Object.entries(a || {}).map(([k, v]) =>
	    h('span', { class: 'attr' }, clean(k), '=', k === 'size' || k === 'available' ? bytes(v) : clean(v)));
	const build = (n, depth) => {
		const line = [h('span', { class: 'hw-class' }, clean(n.class)), ' ',
		    h('span', { class: 'hw-name' }, clean(n.name)), ' ', badge(n.health), ' ', attrs(n.attributes)];
		const ch = kids.get(n.id) || [];
		if (ch.length === 0)
			return h('li', { class: 'leaf' }, ...line);
		const d = h('details', { 'data-id': n.id, open: depth < 1 || openSet.has(n.id) },
		    h('summary', null, ...line, h('span', { class: 'muted' }, ` (${ch.length})`)),
		    h('ul', null, ch.map((c) => build(c, depth + 1))));
		d.addEventListener('toggle', () => d.open ? openSet.add(n.id) : openSet.delete(n.id));
		return h('li', null, d);
	};
	return h('ul', { class: 'tree' }, (kids.get(null) || []).map((n) => build(n, 0)));
}

function fsTable(fs) {
	const list = Array.isArray(fs.filesystems) ? fs.filesystems : [];
	return h('div', { class: 'scroll' }, h('table', { class: 'grid fs' },
	    h('thead', null, h('tr', null, ['mount point', 'device', 'type', 'use', '', 'size', 'available', 'inodes free', 'health']
		.map((t) => h('th', null, t)))),
	    h('tbody', null, list.map((f) => h('tr', null,
		h('td', { class: 'wrap' }, clean(f.mountpoint)),
		h('td', { class: 'wrap' }, clean(f.device)),
		h('td', null, clean(f.type), f.readonly ? ' (ro)' : ''),
		h('td', { class: 'num' }, typeof f.use_percent === 'number' ? f.use_percent.toFixed(1) + ' %' : '—'),
		h('td', null, bar(f.use_percent, `${clean(f.mountpoint)} ${f.use_percent} % used`)),
		h('td', { class: 'num' }, bytes(f.size)),
		h('td', { class: 'num' }, bytes(f.available)),
		h('td', { class: 'num' }, f.inodes_free ?? '—'),
		h('td', null, f.responding === false ? badge('critical') : badge(f.health)))))));
}

// The package list: smsd filters by name pattern and pages (offset,
// limit, total).  An smsd without paging answers the whole match; then
// the page is cut here, and says so.
const paging = { supported: null };
function software(member) {
	const status = h('p', { class: 'muted', id: 'sw-status', 'aria-live': 'polite' });
	const body = h('tbody');
	const input = h('input', { type: 'search', id: 'sw-search', placeholder: 'name, e.g. ssh or lib*',
	    'aria-label': 'Package name pattern', autocomplete: 'off', spellcheck: 'false' });
	const prev = h('button', { type: 'button', class: 'btn' }, '‹ previous');
	const next = h('button', { type: 'button', class: 'btn' }, 'next ›');
	let offset = 0, total = 0, seq = 0, timer = null;
	const pattern = () => {
		const v = input.value.trim();
		if (v === '')
			return '';
		return /[*?]/.test(v) ? v : `*${v}*`;
	};
	const load = async () => {
		const p = pattern();
		if (p && !/^[A-Za-z0-9_.*?-]+$/.test(p)) {
			status.textContent = 'A pattern holds letters, digits, “. _ -” and the wildcards * and ?';
			return;
		}
		const mine = ++seq;
		const q = new URLSearchParams();
		if (p)
			q.set('name', p);
		let r, cut = false;
		try {
			if (paging.supported !== false) {
				const qp = new URLSearchParams(q);
				qp.set('offset', offset);
				qp.set('limit', PAGE);
				try {
					r = await getJSON(memberPath(member, 'software?' + qp));
					paging.supported = typeof r.total === 'number';
				} catch (e) {
					if (e.status !== 400)
						throw e;
					paging.supported = false;
				}
			}
			if (paging.supported === false || !r || typeof r.total !== 'number') {
				r = await getJSON(memberPath(member, 'software' + (p ? '?' + q : '')));
				cut = true;
			}
		} catch (e) {
			if (mine === seq)
				status.textContent = `package list: ${clean(e.message)}`;
			return;
		}
		if (mine !== seq)
			return;		// a newer search answered first
		let list = Array.isArray(r.packages) ? r.packages : [];
		total = typeof r.total === 'number' ? r.total : (r.count ?? list.length);
		if (cut)
			list = list.slice(offset, offset + PAGE);
		body.replaceChildren(...list.map((k) => h('tr', null,
		    h('td', null, clean(k.name)), h('td', null, clean(k.version)),
		    h('td', null, clean(k.architecture)), h('td', null, clean(k.section)),
		    h('td', { class: 'num' }, typeof k.installed_size_kib === 'number' ? bytes(k.installed_size_kib * 1024) : '—'),
		    h('td', null, clean(k.state)), h('td', { class: 'wrap' }, clean(k.description)))));
		status.textContent = total === 0 ? 'no package matches' :
		    `${total} packages; ${offset + 1}–${offset + list.length} shown` +
		    (cut ? ' (this smsd does not page; cut here)' : '');
		prev.disabled = offset === 0;
		next.disabled = offset + PAGE >= total;
	};
	input.addEventListener('input', () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			offset = 0;
			load();
		}, 200);
	});
	prev.addEventListener('click', () => {
		offset = Math.max(0, offset - PAGE);
		load();
	});
	next.addEventListener('click', () => {
		offset += PAGE;
		load();
	});
	load();
	return h('div', null, h('div', { class: 'controls' }, input, prev, next), status,
	    h('div', { class: 'scroll' }, h('table', { class: 'grid sw' },
		h('thead', null, h('tr', null, ['package', 'version', 'arch', 'section', 'size', 'state', 'description']
		    .map((t) => h('th', null, t)))), body)));
}

export function mount(root, ctx) {
	const who = ctx.member;
	const sys = h('div', null, h('p', { class: 'muted' }, 'loading…'));
	const hw = h('div', null, h('p', { class: 'muted' }, 'loading…'));
	const fs = h('div');
	const ev = h('div');
	const openSet = new Set();
	root.append(h('h1', null, 'Member ', h('span', { class: 'who' }, clean(who))),
	    h('div', { class: 'two' }, section('System', sys), section('Hardware', hw)),
	    section('File systems', fs),
	    section('Software', software(who)),
	    section('Recent events', ev));
	const one = async (el, res, draw, signal) => {
		try {
			const v = await getJSON(memberPath(who, res), signal);
			el.replaceChildren(...[].concat(draw(v)));
			return v;
		} catch (e) {
			if (e.name !== 'AbortError')
				el.replaceChildren(errorBox(e, res));
			return null;
		}
	};
	let n = 0;
	return every(5000, async (signal) => {
		let health = null;
		try {
			health = await getJSON(memberPath(who, 'health'), signal);
		} catch (e) {
			if (e.name === 'AbortError')
				throw e;
		}
		await one(sys, 'system', (v) => systemFacts(v, health), signal);
		if (n++ % 6 === 0)	// the hardware changes seldom: every 30 s
			await one(hw, 'hardware', (v) => hardwareTree(v, openSet), signal);
		await one(fs, 'filesystems', fsTable, signal);
		await one(ev, 'events?limit=20', (v) => eventTable((v.events || []).slice().reverse(), 'no events yet'), signal);
	});
}
