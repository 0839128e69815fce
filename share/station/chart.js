// chart.js: a small SVG line chart.  The drawing scales with its box
// (viewBox, strokes kept thin by vector-effect); the labels are HTML
// text beside it, so they stay legible at any width.
import { h, s } from './api.js';

const W = 600, H = 120;

// 1, 2 or 5 times a power of ten, at least v.
function ceiling(v) {
	if (!(v > 0))
		return 1;
	const p = Math.pow(10, Math.floor(Math.log10(v)));
	for (const m of [1, 2, 5, 10])
		if (v <= m * p)
			return m * p;
	return 10 * p;
}

// series: [{label, values (number|null per time), cls}], times: ms each.
export function lineChart({ title, times, series, fmt, max }) {
	let top = max;
	if (top === undefined) {
		let m = 0;
		for (const x of series)
			for (const v of x.values)
				if (typeof v === 'number' && v > m)
					m = v;
		top = ceiling(m);
	}
	const t0 = times[0], t1 = times[times.length - 1];
	const span = t1 > t0 ? t1 - t0 : 1;
	const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none',
	    class: 'chart', role: 'img', 'aria-label': title });
	for (const f of [0, 0.5, 1])
		svg.appendChild(s('line', { x1: 0, x2: W, y1: H - f * H, y2: H - f * H, class: 'gridline',
		    'vector-effect': 'non-scaling-stroke' }));
	for (const x of series) {
		let pts = [];
		const line = () => {
			if (pts.length > 1)
				svg.appendChild(s('polyline', { points: pts.join(' '), class: 'series ' + x.cls,
				    'vector-effect': 'non-scaling-stroke' }));
			else if (pts.length === 1)
				svg.appendChild(s('circle', { cx: pts[0].split(',')[0], cy: pts[0].split(',')[1], r: 1.5,
				    class: 'dot ' + x.cls }));
			pts = [];
		};
		x.values.forEach((v, i) => {
			if (typeof v !== 'number') {
				line();
				return;
			}
			const px = times.length > 1 ? (times[i] - t0) / span * W : W;
			const py = H - Math.min(v, top) / top * H;
			pts.push(`${px.toFixed(1)},${py.toFixed(1)}`);
		});
		line();
	}
	const last = (vals) => {
		for (let i = vals.length - 1; i >= 0; i--)
			if (typeof vals[i] === 'number')
				return vals[i];
		return null;
	};
	const legend = h('span', { class: 'legend' }, series.map((x) =>
	    h('span', { class: 'key' }, h('span', { class: 'swatch ' + x.cls, 'aria-hidden': 'true' }),
		`${x.label} ${last(x.values) === null ? '—' : fmt(last(x.values))}`)));
	const ago = span < 120000 ? `${Math.round(span / 1000)} s ago` : `${Math.round(span / 60000)} min ago`;
	return h('figure', { class: 'chartbox', 'data-chart': title },
	    h('figcaption', null, h('strong', null, title), legend),
	    h('div', { class: 'plot' },
		h('span', { class: 'ymax' }, fmt(top)), h('span', { class: 'ymid' }, fmt(top / 2)), svg),
	    h('div', { class: 'xaxis' }, h('span', null, times.length > 1 ? ago : ''),
		h('span', null, 'now')));
}
