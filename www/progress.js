// The loading indicator: what the engine is doing and about how long is
// left, shown once a task takes longer than a blink. The worker says the
// stage and its estimate (worker.js); the time left counts down here
// between its messages, on a timer that runs only while the indicator shows.

const SHOW_AFTER_MS = 150;
const TICK_MS = 500;

/** "about 12 s left", "about 2 min left"; null when it is nearly done or unknown. */
export function timeLeft(milliseconds) {
  if (!Number.isFinite(milliseconds) || milliseconds < 1500) return null;
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 90) return `about ${seconds} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

export class Progress {
  /** `element` is the indicator (hidden when idle); `text` and `estimate` are its two lines. */
  constructor({ element, text, estimate }) {
    this.element = element;
    this.text = text;
    this.estimate = estimate;
    this.deadline = null;
    this.ticker = null;
  }

  /** What the engine is doing now, and (optionally) the milliseconds it expects to take. */
  update(text, remaining = null) {
    if (text) this.text.textContent = text;
    this.deadline = Number.isFinite(remaining) ? performance.now() + remaining : null;
    this.tick();
  }

  tick() {
    const left = this.deadline === null ? null : timeLeft(this.deadline - performance.now());
    this.estimate.textContent = left ?? '';
    this.estimate.hidden = !left;
  }

  /** Runs `task` with the indicator shown if it takes longer than a blink. */
  async run(text, task) {
    this.update(text);
    const timer = setTimeout(() => {
      this.element.hidden = false;
      document.body.setAttribute('aria-busy', 'true');
      this.ticker = setInterval(() => this.tick(), TICK_MS);
    }, SHOW_AFTER_MS);
    try {
      return await task();
    } finally {
      clearTimeout(timer);
      clearInterval(this.ticker);
      this.ticker = null;
      this.deadline = null;
      this.element.hidden = true;
      document.body.removeAttribute('aria-busy');
    }
  }
}
