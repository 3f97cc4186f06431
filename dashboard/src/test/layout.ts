import { vi } from 'vitest';

/**
 * jsdom lays nothing out, so every element measures 0 × 0 and LayerCake would draw at zero size.
 * This makes every element report the given client size, as a browser would for the chart's
 * container; `vi.restoreAllMocks()` undoes it.
 */
export function fakeElementSize(width: number, height: number): void {
  vi.spyOn(Element.prototype, 'clientWidth', 'get').mockReturnValue(width);
  vi.spyOn(Element.prototype, 'clientHeight', 'get').mockReturnValue(height);
}
