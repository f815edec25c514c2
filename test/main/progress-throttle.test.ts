import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProgressEvent } from '../../src/shared/progress.js';
import { createProgressThrottle } from '../../src/main/progress-throttle.js';

function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => {
        const id = nextId++;
        timers.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimeout: (id: unknown) => void timers.delete(id as number),
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = until;
    },
  };
}

const event = (done: number, phase: ProgressEvent['phase'] = 'decode', total = 1000): ProgressEvent => ({
  jobId: 'j', phase, done, total, file: null, imagesPerSecond: 0, etaSeconds: null, skipped: 0,
});

describe('createProgressThrottle', () => {
  it('sends at most 20 events a second and always the newest state', () => {
    const clock = fakeTimers();
    const sent: ProgressEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { timers: clock.timers });
    for (let i = 1; i <= 999; i++) {
      throttle.push(event(i));
      clock.advance(1);
    }
    clock.advance(100);
    // 999 ms of events: one every 50 ms at most, and the last one delivered by the timer.
    assert.ok(sent.length <= 21, `sent ${sent.length}`);
    assert.ok(sent.length >= 19, `sent ${sent.length}`);
    assert.equal(sent.at(-1)?.done, 999);
    for (let i = 2; i < sent.length; i++) assert.ok(sent[i].done > sent[i - 1].done);
  });

  it('sends phase changes and the last item at once', () => {
    const clock = fakeTimers();
    const sent: ProgressEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { timers: clock.timers });
    throttle.push(event(0, 'scan', 0));
    throttle.push(event(1));
    throttle.push(event(2));
    throttle.push(event(1000));
    throttle.push(event(1000, 'finalize'));
    assert.deepEqual(sent.map((e) => [e.phase, e.done]), [['scan', 0], ['decode', 1], ['decode', 1000], ['finalize', 1000]]);
  });

  it('flush delivers the held event; cancel drops it', () => {
    const clock = fakeTimers();
    const sent: ProgressEvent[] = [];
    const throttle = createProgressThrottle((e) => sent.push(e), { timers: clock.timers });
    throttle.push(event(1));
    throttle.push(event(2));
    throttle.flush();
    assert.deepEqual(sent.map((e) => e.done), [1, 2]);
    throttle.push(event(3));
    throttle.cancel();
    clock.advance(1000);
    assert.deepEqual(sent.map((e) => e.done), [1, 2]);
  });
});
