// jsdom lays nothing out, so it ships no ResizeObserver; layercake charts bind element sizes
// through it. Nothing here ever resizes, so observing is a no-op.
class ResizeObserverStub implements ResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

globalThis.ResizeObserver ??= ResizeObserverStub;
