/** The transform a preview tile went through, in one line the enlarged view shows. */
import type { ConvertOptions } from '../../shared/options.js';

export function transformText(o: ConvertOptions, target: { width: number; height: number }): string {
  const size = `${target.height}×${target.width}`;
  const geometry =
    o.resize === 'none'
      ? `padded to ${size} (the largest image), pad value ${o.padValue}`
      : `${o.resize} to ${size}, ${o.interpolation}${o.antialias ? ' with antialias' : ''}`;
  const colour = o.color === 'rgba' || o.color === 'rgb' ? o.color.toUpperCase() : o.color;
  return `${geometry}; ${colour}${o.exif ? ', EXIF rotation applied' : ''}`;
}
