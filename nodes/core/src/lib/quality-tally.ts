import type { Quality } from '@tagflow/node-sdk';

/**
 * Counts the qualities of the values a window holds, so the window's worst quality is known in O(1)
 * as values come and go (a bad value taints the result exactly as long as it is in the window).
 */
export class QualityTally {
  private bad = 0;
  private uncertain = 0;

  add(quality: Quality): void {
    if (quality === 'bad') this.bad++;
    else if (quality === 'uncertain') this.uncertain++;
  }

  remove(quality: Quality): void {
    if (quality === 'bad') this.bad--;
    else if (quality === 'uncertain') this.uncertain--;
  }

  /** The worst quality counted; `good` when empty. */
  get worst(): Quality {
    if (this.bad > 0) return 'bad';
    if (this.uncertain > 0) return 'uncertain';
    return 'good';
  }
}
