// The browser test (`npm run test:browser`): it needs Chromium at /usr/bin/chromium, so it
// stays out of `npm test`, whose `*.test.js` glob does not match `*.browser.js`.
export default {
  files: ['test/dist/browser/**/*.browser.js'],
  nodeArguments: ['--enable-source-maps'],
  timeout: '2m',
};
