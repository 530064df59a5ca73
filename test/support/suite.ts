import type { TestFn } from 'ava';
import { Api } from './http.js';
import { realServerUrl, startApiTarget, type ApiTarget } from './apiTarget.js';

export interface ApiContext {
  readonly target: ApiTarget;
  readonly api: Api;
}

/** Starts one target per test file and stops it afterwards. */
export function useApiTarget(test: TestFn<ApiContext>): void {
  test.before(async (t) => {
    const target = await startApiTarget();
    t.context = { target, api: new Api(target.baseUrl) };
  });
  test.after.always(async (t) => {
    await t.context.target.close();
  });
}

/** True when the suite runs against `REAL_SERVER`, where the Hunter fake cannot be steered. */
export const againstRealServer = realServerUrl() !== undefined;

/**
 * Declares a test that needs the in-process server (to steer the Hunter fake or read logs).
 * Against REAL_SERVER it is not declared, and the file says so once, loudly.
 */
export function inProcessOnly(test: TestFn<ApiContext>): TestFn<ApiContext> | undefined {
  if (!againstRealServer) return test;
  return undefined;
}
