/**
 * The two yardsticks Plaza's endpoints are compared with: what Koa costs on its own, and
 * what Koa costs once it does the work every authenticated Plaza write must do (parse a
 * form, verify an HS256 JWT). Neither logs: they are the floor, not a rival server.
 */
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { listenOnLoopback, type BenchTarget } from '../support/listen.js';

const OK = { code: 'OK' } as const;
const AUTHORIZATION = /^JWT\s+(\S+)$/;

/** Bare Koa: one middleware answering `{"code":"OK"}` to anything. */
export function startBareKoa(): Promise<BenchTarget> {
  const app = new Koa();
  app.use(function answerOk(ctx) {
    ctx.body = OK;
  });
  return listenOnLoopback(app.callback());
}

/**
 * Koa + koa-body + jsonwebtoken: parses the form, verifies `Authorization: JWT <token>`
 * (HS256, algorithm pinned, as Plaza does) and answers `{"code":"OK"}`; 401 or 400 otherwise,
 * so a broken baseline shows up as non-2xx instead of flattering the ratios.
 *
 * The key is a KeyObject made once, as jsonwebtoken's README allows. Given a string or a
 * Buffer, jsonwebtoken 9 first tries (and fails) to parse it as a public key on every call,
 * which costs ~0.5 ms here, 40x the verification itself: a baseline paying that would be
 * no floor at all.
 */
export function startKoaJwtBaseline(jwtSecret: string): Promise<BenchTarget> {
  const key = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
  const app = new Koa();
  app.use(koaBody({ urlencoded: true, json: true, text: false, multipart: false }));
  app.use(function verifyAndAnswer(ctx) {
    const token = AUTHORIZATION.exec(ctx.get('authorization'))?.[1];
    if (token === undefined) {
      ctx.status = 401;
      ctx.body = { code: 'AUT_01' };
      return;
    }
    try {
      jwt.verify(token, key, { algorithms: ['HS256'] });
    } catch {
      ctx.status = 401;
      ctx.body = { code: 'AUT_01' };
      return;
    }
    const body = ctx.request.body as Record<string, unknown> | undefined;
    if (typeof body?.['post_id'] !== 'string') {
      ctx.status = 400;
      ctx.body = { code: 'PAR_01' };
      return;
    }
    ctx.body = OK;
  });
  return listenOnLoopback(app.callback());
}
