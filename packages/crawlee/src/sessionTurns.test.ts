import { afterEach, expect, it, vi } from 'vitest';
import { SessionBusyError, SessionTurns } from './sessionTurns.js';

afterEach(() => {
  vi.useRealTimers();
});

it('turns go in arrival order, one at a time per session; other sessions do not wait', async () => {
  const turns = new SessionTurns();
  const order: string[] = [];
  await turns.take('s1', 1000);
  const second = turns.take('s1', 1000).then(() => order.push('second'));
  const third = turns.take('s1', 1000).then(() => order.push('third'));
  await turns.take('s2', 1000);
  order.push('other session');
  expect(turns.busy).toBe(2);
  turns.give('s1');
  await second;
  expect(order).toEqual(['other session', 'second']);
  turns.give('s1');
  await third;
  turns.give('s1');
  turns.give('s2');
  expect(order).toEqual(['other session', 'second', 'third']);
  expect(turns.busy).toBe(0);
});

it('a waiter gives up after waitMs with SessionBusyError and leaves the queue', async () => {
  vi.useFakeTimers();
  const turns = new SessionTurns();
  await turns.take('s1', 1000);
  const late = turns.take('s1', 500);
  const rejected = expect(late).rejects.toThrow(SessionBusyError);
  await vi.advanceTimersByTimeAsync(500);
  await rejected;
  // The gone waiter is skipped: the next give frees the session.
  turns.give('s1');
  expect(turns.busy).toBe(0);
  await turns.take('s1', 0);
  expect(turns.busy).toBe(1);
});
