/**
 * The ratio chart for docs/benchmarks.png: an SVG written here and rasterised by sharp (librsvg),
 * so the chart needs no plotting library and renders the same on every machine.
 */
import sharp from 'sharp';

export interface Bar {
  label: string;
  /** ours ÷ baseline; null when either side has no figure. */
  value: number | null;
  target: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ratioChartSvg(title: string, subtitle: string, bars: Bar[]): string {
  const width = 960;
  const left = 330;
  const right = 90;
  const top = 78;
  const row = 46;
  const height = top + row * bars.length + 50;
  const maxValue = Math.max(1.2, ...bars.map((b) => Math.max(b.value ?? 0, b.target))) * 1.1;
  const x = (v: number): number => left + ((width - left - right) * v) / maxValue;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Liberation Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="20" y="30" font-size="20" font-weight="bold" fill="#222">${esc(title)}</text>`,
    `<text x="20" y="54" font-size="13" fill="#555">${esc(subtitle)}</text>`,
  ];
  // Grid at every whole ratio: "1×" is parity, the line that matters most.
  for (let v = 0; v <= maxValue; v += maxValue > 12 ? 2 : 1) {
    parts.push(`<line x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${top + row * bars.length}" stroke="${v === 1 ? '#999' : '#e4e4e4'}" stroke-width="1"/>`);
    parts.push(`<text x="${x(v)}" y="${top + row * bars.length + 18}" font-size="12" fill="#666" text-anchor="middle">${v}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * row;
    parts.push(`<text x="${left - 12}" y="${y + 26}" font-size="14" fill="#222" text-anchor="end">${esc(b.label)}</text>`);
    if (b.value === null) {
      parts.push(`<text x="${left + 8}" y="${y + 26}" font-size="14" fill="#888" font-style="italic">not available</text>`);
    } else {
      const met = b.value >= b.target;
      parts.push(`<rect x="${left}" y="${y + 10}" width="${Math.max(1, x(b.value) - left)}" height="24" fill="${met ? '#2e7d32' : '#c62828'}" rx="2"/>`);
      // Past the target line when they would collide, so neither hides the other.
      const end = x(b.value);
      const labelX = x(b.target) >= end - 4 && x(b.target) - end < 48 ? x(b.target) + 7 : end + 6;
      parts.push(`<text x="${labelX}" y="${y + 27}" font-size="13" fill="#222">${b.value.toFixed(2)}×</text>`);
    }
    parts.push(`<line x1="${x(b.target)}" y1="${y + 4}" x2="${x(b.target)}" y2="${y + 40}" stroke="#1a237e" stroke-width="2.5" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${x(b.target) + 4}" y="${y + 9}" font-size="10" fill="#1a237e">≥ ${b.target}×</text>`);
  });
  const legendY = height - 12;
  parts.push(`<rect x="20" y="${legendY - 10}" width="12" height="12" fill="#2e7d32"/><text x="38" y="${legendY}" font-size="12" fill="#444">target met</text>`);
  parts.push(`<rect x="130" y="${legendY - 10}" width="12" height="12" fill="#c62828"/><text x="148" y="${legendY}" font-size="12" fill="#444">target not met</text>`);
  parts.push(`<line x1="265" y1="${legendY - 4}" x2="285" y2="${legendY - 4}" stroke="#1a237e" stroke-width="2.5" stroke-dasharray="4 3"/><text x="292" y="${legendY}" font-size="12" fill="#444">target ratio</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

export async function writeRatioChart(path: string, title: string, subtitle: string, bars: Bar[]): Promise<void> {
  await sharp(Buffer.from(ratioChartSvg(title, subtitle, bars))).png().toFile(path);
}
