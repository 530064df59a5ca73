import { describeSetting, type Setting } from '@plaza/core/host';
import { SERVER_SETTINGS } from './serverSettings.js';

export const USAGE = `Usage: plaza-server [serve|migrate] [--config FILE]
       plaza-server --help | --version

  serve            run the HTTP server (the default)
  migrate          bring the database schema up to date and exit
  --config FILE    read settings from FILE, a JSON object such as {"PORT": 8080}
  -h, --help       print this usage and every setting with its default
  --version        print the version`;

/**
 * The usage and every setting, with its default, meaning and the values it takes, from the
 * settings' declaration: an installed package needs no README.
 */
export function helpText(settings: readonly Setting[] = SERVER_SETTINGS): string {
  const entries = settings.map((setting, index) => {
    const { key, default: fallback, meaning, accepts } = describeSetting(setting);
    const values = accepts === '' ? '' : `\n      takes ${accepts}`;
    const group = settings[index - 1]?.group === setting.group ? '' : `\n${setting.group}\n`;
    return `${group}  ${key}  default: ${fallback}\n      ${meaning}${values}`;
  });
  return `${USAGE}

Settings come from the environment, a .env file in the working folder and --config; the
environment wins over .env, which wins over the config file.
${entries.join('\n')}
`;
}
