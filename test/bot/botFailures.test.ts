import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import type { BotReport } from '@plaza/example-bot';
import { startInProcessTarget } from '../support/apiTarget.js';
import { botConfigFile, numbers, runBotCli } from './botProcess.js';

/**
 * A proxy that answers OK to every third like without passing it on: the server ends up
 * with fewer likes than the bot was told it made.
 */
async function likeSwallowingProxy(
  upstream: string,
): Promise<{ url: string; close(): Promise<void> }> {
  let likes = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/post/like' && (likes += 1) % 3 === 0) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":"OK"}');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
        ),
      );
      const init: RequestInit = { method: request.method ?? 'GET', headers };
      if (request.method !== 'GET') init.body = Buffer.concat(chunks);
      void fetch(`${upstream}${request.url ?? '/'}`, init).then(
        async (answer) => {
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => response.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('a run whose likes did not all reach the server is reported and exits 1', async (t) => {
  const target = await startInProcessTarget();
  const proxy = await likeSwallowingProxy(target.baseUrl);
  t.teardown(async () => {
    await proxy.close();
    await target.close();
  });
  const config = botConfigFile(numbers(10, 3, 3));

  const run = await runBotCli(['--server', proxy.url, '--config', config, '--seed', '3', '--json']);

  t.is(run.code, 1);
  const report = JSON.parse(run.stdout) as BotReport;
  t.false(report.ok);
  const mismatch = report.checks.find((check) => check.rule.startsWith('every post and like'));
  t.false(mismatch?.ok);
  t.regex(mismatch?.examples[0] ?? '', /^like of post \d+ by user \d+ is missing$/);
});

test('a bad config file exits 2 with the reason and the usage', async (t) => {
  const config = botConfigFile(
    '[numbers]\nnumber_of_users = -3\nmax_posts_per_user = 1\nmax_likes_per_user = 1\n',
  );

  const run = await runBotCli(['--config', config]);

  t.is(run.code, 2);
  t.regex(run.stderr, /number_of_users must be a whole number >= 0; it is "-3"/);
  t.regex(run.stderr, /Usage: npm run bot --/);
  t.is(run.stdout, '');
});

test('a missing config file and a bad flag exit 2', async (t) => {
  const missing = await runBotCli(['--config', '/nonexistent/bot.ini']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /Cannot read the bot config \/nonexistent\/bot\.ini: no such file\./);

  const badFlag = await runBotCli(['--concurrency', 'lots']);
  t.is(badFlag.code, 2);
  t.regex(badFlag.stderr, /--concurrency must be a whole number/);
});

test('a server that is not there exits 1 and says so', async (t) => {
  const config = botConfigFile(numbers(2, 1, 1));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const run = await runBotCli(['--server', `http://127.0.0.1:${port}`, '--config', config]);

  t.is(run.code, 1);
  t.regex(run.stderr, /The server did not answer: Cannot reach http:\/\/127\.0\.0\.1:\d+\./);
});
