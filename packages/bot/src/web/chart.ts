/**
 * Charts drawn on the server as SVG, to put straight into a page: a Vega-Lite spec compiled and
 * rendered by Vega in Node — no browser, no canvas, no script on the page (Vega's `toSVG`
 * builds the markup from its scene graph; the renderer 'none' draws nothing anywhere else).
 *
 * What reaches the page is one picture to assistive technology: `role="img"` named by its
 * <title> and described by its <desc> (the figures in words), with Vega's own per-mark roles
 * taken out, since a chart is always shown beside the table that carries the same figures.
 * Vega writes presentation attributes (fill, font-family), never a `style` attribute, so the
 * content security policy's `style-src 'self'` holds.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** How a chart is named for people who cannot see it. */
export interface ChartText {
  /** Unique on the page: the ids of the chart's <title> and <desc> are made from it. */
  readonly id: string;
  /** What the chart shows, in a few words (its <title>). */
  readonly title: string;
  /** The figures it draws, in words (its <desc>). */
  readonly description: string;
}

/** GOV.UK's text colour and the workspace's font, for every chart alike. */
const LOOK = {
  font: 'Arial, sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 13, titleFontSize: 13, labelColor: '#0b0c0c', titleColor: '#0b0c0c', domainColor: '#505a5f', tickColor: '#505a5f', gridColor: '#d8dadb' },
  legend: { labelFontSize: 13, titleFontSize: 13, labelColor: '#0b0c0c', titleColor: '#0b0c0c' },
  // Per-mark ARIA would make each bar a separate thing to visit; the picture is one image instead.
  aria: false,
} as const;

const ID = /^[A-Za-z][A-Za-z0-9_-]{0,80}$/;

/**
 * Arial's advance widths, per 1000 units of the em, for the printable ASCII characters (space to
 * tilde) — Arial was drawn to Helvetica's metrics, which Adobe publishes in its AFM files. Without
 * a canvas, Vega guesses every character at 0.8 em, so it cuts labels short and leaves wide
 * margins; with these, labels are measured as the browser will draw them.
 */
const ARIAL_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/** Anything else (a dash, an accented letter) is taken as wide as a digit; an ellipsis is a whole em. */
const OTHER_WIDTH = 556;

/** The width Arial gives `text` at `fontSize` pixels (bold a little wider). */
export function arialWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += ch === '…' ? 1000 : (ARIAL_WIDTHS[code - 32] ?? OTHER_WIDTH);
  }
  return (units / 1000) * fontSize * (bold ? 1.08 : 1);
}

/** Vega's text measure, which it lets a caller replace (vl-convert does): not in its typings. */
interface TextMetrics {
  width: (item: { readonly fontSize?: number; readonly fontWeight?: string | number }, text: string) => number;
}
(vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) =>
  arialWidth(String(text ?? ''), item.fontSize ?? 11, item.fontWeight === 'bold' || Number(item.fontWeight) >= 600);

/**
 * The chart as SVG markup, named and described.
 * @throws RangeError for an id that cannot be an HTML id.
 */
export async function chartSvg(spec: TopLevelSpec, text: ChartText): Promise<string> {
  if (!ID.test(text.id)) throw new RangeError(`"${text.id}" cannot be a chart's id`);
  const { spec: compiled } = compile({ ...spec, config: { ...LOOK, ...spec.config } } as TopLevelSpec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return named(svg, text);
  } finally {
    view.finalize();
  }
}

/** Vega's SVG as one image: its root given the role, the name and the description; inner roles removed. */
function named(svg: string, text: ChartText): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (!open) throw new Error('Vega did not return an SVG document');
  const root = open[0]
    .replace(/\sclass="[^"]*"/, '')
    .replace(/^<svg\b/, `<svg class="app-chart__image" role="img" aria-labelledby="${text.id}-title" aria-describedby="${text.id}-desc"`);
  const inside = svg.slice(open[0].length).replace(/\s(?:role|aria-roledescription|aria-label)="[^"]*"/g, '');
  return `${root}<title id="${text.id}-title">${escapeXml(text.title)}</title><desc id="${text.id}-desc">${escapeXml(text.description)}</desc>${inside}`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
