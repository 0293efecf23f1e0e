import { YamlFile } from './dist/config/YamlFile.js';
import { tooDeepAt } from './dist/config/yamlDepth.js';
import { parseDocument, LineCounter } from 'yaml';
import { readFileSync } from 'node:fs';
const text = readFileSync(process.argv[2], 'utf8');
let t = Date.now(); tooDeepAt(text); console.log('depth', Date.now() - t);
t = Date.now(); const d = parseDocument(text, {lineCounter: new LineCounter()}); console.log('parseDocument', Date.now() - t);
t = Date.now(); d.toJS(); console.log('toJS', Date.now() - t);
t = Date.now(); YamlFile.read(process.argv[2]); console.log('YamlFile.read', Date.now() - t);
