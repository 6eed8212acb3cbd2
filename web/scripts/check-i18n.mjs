// Checks the message files (src/i18n/<lang>.json) against English: the same
// keys, the same {placeholders}, plural forms where English has them, and no
// sentence left in English. `npm run check:i18n` runs it; so do the e2e tests.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kLangs = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];

export function loadMessages(dir = join(dirname(fileURLToPath(import.meta.url)), '../src/i18n')) {
  const messages = {};
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.json')) messages[file.replace('.json', '')] = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  }
  return messages;
}

// Every problem, as text; none when the files agree.
export function checkMessages(messages) {
  const problems = [];
  const english = messages.en;
  const keys = Object.keys(english);
  const placeholders = (value) =>
    [...new Set([...JSON.stringify(value).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((name) => name !== 'count'))].sort().join(',');
  const letters = (value) => String(value).replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '');
  for (const lang of kLangs) {
    const file = messages[lang];
    if (!file) {
      problems.push(`${lang}.json is missing`);
      continue;
    }
    for (const key of keys) {
      if (!(key in file)) {
        problems.push(`${lang}.json lacks "${key}"`);
        continue;
      }
      const value = file[key];
      if (typeof english[key] !== typeof value) problems.push(`${lang}.json "${key}": plural forms and plain text disagree with en.json`);
      if (typeof value === 'object' && !('other' in value)) problems.push(`${lang}.json "${key}": no "other" plural form`);
      if (placeholders(value) !== placeholders(english[key])) problems.push(`${lang}.json "${key}": placeholders {${placeholders(value)}} but en.json has {${placeholders(english[key])}}`);
      // A single word may be the same in two languages ("Total", "Europe"); a sentence is not.
      if (lang !== 'en' && typeof value === 'string' && value === english[key] && value.trim().split(/\s+/).length >= 3 && letters(value).length > 4) {
        problems.push(`${lang}.json "${key}" is still in English`);
      }
    }
    for (const key of Object.keys(file)) if (!(key in english)) problems.push(`${lang}.json has "${key}", which en.json lacks`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkMessages(loadMessages());
  for (const problem of problems) console.log(problem);
  console.log(problems.length ? `${problems.length} problems in the message files` : 'the message files of the six languages agree');
  process.exit(problems.length ? 1 : 0);
}
