/**
 * Expressions that only read the input item (`={{ $json.phone }}`, `=Hi {{ $json.name }}`),
 * resolved without n8n's expression engine, to the value n8n itself gives them.
 *
 * n8n 2.x evaluates every expression in an isolated VM (about 0.5 ms each); a bulk send reads
 * one or two such expressions per item. `compileExpression` accepts a small grammar and declines
 * everything else (`undefined`); `evaluateExpression` gives n8n's value or `DECLINED` when an
 * item's data is something it does not reproduce exactly (the caller then asks n8n).
 *
 * What n8n does with these expressions (n8n-workflow 2.8 and 2.41, @n8n/tournament 1.0.6 and
 * 1.13, @n8n/expression-runtime 0.32 for 2.41's default `vm` engine):
 * - A string parameter starting with `=` is an expression (`isExpression`). After the `=`, the
 *   text is split at `{{` and the next `}}` (tournament's `splitExpression`). Exactly one
 *   `{{ … }}` with nothing before or after it is a single expression: its value is returned as
 *   it is (type kept; a missing field is `undefined`). Anything else is a template: each part's
 *   value `v` becomes `v || v === 0 || v === false ? v : ''` and the parts are joined with
 *   `Array.prototype.join('')` (`ExpressionBuilder`). So in a template undefined, null, '' and
 *   NaN give '', 0 and -0 give '0', booleans 'true'/'false', an array its elements joined with
 *   ',' (null and undefined elements as '', NaN as 'NaN'), and a plain object '[object Object]'.
 * - Every part is wrapped in a try whose catch hands the error to n8n's handler, which swallows
 *   anything but n8n's own ExpressionErrors: reading a field of undefined or null gives undefined
 *   (a single expression) or '' (in a template), not an error.
 * - n8n refuses (throws) `.constructor` anywhere in the text, and property names it deems unsafe
 *   (`isSafeObjectProperty`; 2.41 blocks more names than 2.8). Those shapes are declined here.
 * - `$json` is the current input item's JSON: `connectionInputData[itemIndex].json`, the node's
 *   first main input, which for our one-input nodes is `getInputData()[itemIndex]`.
 * - Where the engines differ, the shape is declined: 2.41's VM hands `$json` to the expression as
 *   lazy proxies whose targets inherit Object.prototype (a field named `toString` reads as the
 *   inherited function there, as the own value in 2.8), and renders any object in a template as
 *   '[object Object]' where 2.8 calls the object's own `toString` field (failing, giving null).
 *   A single expression whose value is an object or array is declined too: 2.8 hands back the
 *   input item's own object, 2.41 a copy.
 * - Backslashes are declined. Tournament's splitter keeps `\{{` as text, backslash included, and
 *   turns `\\` into `\` in text before a `{{` but not after the last one; n8n-workflow's own
 *   splitter (used for its extension syntax) escapes differently.
 */
import { isSafeObjectProperty } from 'n8n-workflow';

/** The keys read after `$json`, in order. */
export type FieldPath = readonly string[];

export type FastExpression =
	/** `=text` without `{{`: the text itself. */
	| { kind: 'text'; text: string }
	/** `={{ $json.a }}`: the value itself. */
	| { kind: 'single'; path: FieldPath }
	/** Anything else: text and values, joined as n8n joins a template. */
	| { kind: 'template'; parts: Array<string | FieldPath> };

/** What `evaluateExpression` gives when it does not reproduce n8n's value for this item. */
export const DECLINED: unique symbol = Symbol('declined');

/**
 * Names never read: every name n8n-workflow 2.8 or 2.41 refuses as unsafe, the names its
 * sandbox rewrites or reserves (`$`, `globalThis`, `__sanitize`, `___n8n_data`), and (checked
 * apart) every name Object.prototype has, which 2.41's lazy proxies read from the prototype.
 */
const UNSAFE = new Set([
	'__proto__',
	'prototype',
	'constructor',
	'getPrototypeOf',
	'setPrototypeOf',
	'getOwnPropertyDescriptor',
	'getOwnPropertyDescriptors',
	'defineProperty',
	'defineProperties',
	'mainModule',
	'binding',
	'_linkedBinding',
	'_load',
	'prepareStackTrace',
	'__lookupGetter__',
	'__lookupSetter__',
	'__defineGetter__',
	'__defineSetter__',
	'caller',
	'callee',
	'arguments',
	'getBuiltinModule',
	'dlopen',
	'execve',
	'loadEnvFile',
	'$',
	'globalThis',
	'__sanitize',
	'___n8n_data',
]);

function safeKey(key: string): boolean {
	if (UNSAFE.has(key) || key in Object.prototype) return false;
	// The running n8n's own list, when the n8n-workflow loaded here has it (newer ones may block more).
	return typeof isSafeObjectProperty !== 'function' || isSafeObjectProperty(key);
}

const isSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\n' || char === '\r';
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*/;
const INDEX_LITERAL = /^(?:0|[1-9][0-9]{0,8})/;

/**
 * One `{{ … }}`'s code: `$json`, then `.name`, `["key"]`, `['key']` or `[3]`, any number of
 * times, with spaces, tabs and line breaks around it and inside brackets. Anything else
 * (calls, operators, `?.`, other variables, comments, template literals) is declined.
 */
function parseCode(code: string): FieldPath | undefined {
	let i = 0;
	const skipSpace = () => {
		while (isSpace(code[i])) i++;
	};
	skipSpace();
	if (!code.startsWith('$json', i)) return undefined;
	i += '$json'.length;
	const path: string[] = [];
	for (;;) {
		let key: string;
		if (code[i] === '.') {
			const name = IDENTIFIER.exec(code.slice(i + 1))?.[0];
			if (name === undefined) return undefined;
			key = name;
			i += 1 + name.length;
		} else if (code[i] === '[') {
			i++;
			skipSpace();
			const quote = code[i];
			if (quote === '"' || quote === "'") {
				const end = code.indexOf(quote, i + 1);
				if (end < 0) return undefined;
				key = code.slice(i + 1, end);
				if (/[\n\r\u2028\u2029]/.test(key)) return undefined;
				i = end + 1;
			} else {
				const digits = INDEX_LITERAL.exec(code.slice(i))?.[0];
				if (digits === undefined) return undefined;
				key = digits;
				i += digits.length;
			}
			skipSpace();
			if (code[i] !== ']') return undefined;
			i++;
		} else {
			break;
		}
		if (!safeKey(key)) return undefined;
		path.push(key);
	}
	skipSpace();
	return i === code.length ? path : undefined;
}

/**
 * The fast form of a stored parameter value, or undefined when n8n must evaluate it. Parse once
 * per parameter and execution; the result holds no item data.
 */
export function compileExpression(value: string): FastExpression | undefined {
	if (value.charAt(0) !== '=') return undefined;
	const body = value.slice(1);
	if (body.includes('\\')) return undefined;
	// n8n refuses the whole expression when this appears anywhere in it, text included.
	if (/\.\s*constructor/m.test(body)) return undefined;
	const chunks: Array<{ text: string } | { code: string }> = [];
	let index = 0;
	while (index < body.length) {
		const open = body.indexOf('{{', index);
		if (open < 0) {
			chunks.push({ text: body.slice(index) });
			break;
		}
		chunks.push({ text: body.slice(index, open) });
		const close = body.indexOf('}}', open + 2);
		// Unclosed: n8n evaluates the rest as code; not worth reproducing.
		if (close < 0) return undefined;
		chunks.push({ code: body.slice(open + 2, close) });
		index = close + 2;
	}
	const parts: Array<string | FieldPath> = [];
	for (const chunk of chunks) {
		if ('text' in chunk) {
			parts.push(chunk.text);
			continue;
		}
		// n8n rewrites calls (its extension syntax) before evaluating; no '(' may reach that step.
		if (chunk.code.includes('(')) return undefined;
		const path = parseCode(chunk.code);
		if (!path) return undefined;
		parts.push(path);
	}
	if (!parts.some((part) => typeof part !== 'string')) return { kind: 'text', text: body };
	if (parts.length === 2 && parts[0] === '') return { kind: 'single', path: parts[1] as FieldPath };
	return { kind: 'template', parts: parts.filter((part) => part !== '') };
}

const own = Object.prototype.hasOwnProperty;
const INDEX = /^(?:0|[1-9][0-9]*)$/;

/** `value[key]` as n8n's expression reads it, or DECLINED. */
function readKey(value: unknown, key: string): unknown {
	// n8n: a TypeError, which its handler swallows; the part's value stays undefined.
	if (value === null || value === undefined) return undefined;
	switch (typeof value) {
		case 'object': {
			if (Array.isArray(value)) {
				if (Object.getPrototypeOf(value) !== Array.prototype) return DECLINED;
				if (key === 'length') return value.length;
				if (INDEX.test(key)) return Number(key) < value.length ? (value as unknown[])[Number(key)] : undefined;
				// 2.41's array proxies read only indexes and length; 2.8 reads the array itself.
				return own.call(value, key) || key in value ? DECLINED : undefined;
			}
			const prototype = Object.getPrototypeOf(value) as unknown;
			if (prototype !== Object.prototype && prototype !== null) return DECLINED;
			return own.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
		}
		case 'string':
			if (key === 'length') return value.length;
			if (INDEX.test(key)) return value[Number(key)];
			return key in String.prototype ? DECLINED : undefined;
		case 'number':
		case 'boolean':
			return key in Object(value) ? DECLINED : undefined;
		default:
			return DECLINED;
	}
}

function readPath(json: unknown, path: FieldPath): unknown {
	let value = json;
	for (const key of path) {
		value = readKey(value, key);
		if (value === DECLINED) return DECLINED;
	}
	return value;
}

/** A plain object or array as `String()` renders it in both engines, or DECLINED. */
function objectText(value: object, seen: object[]): string | typeof DECLINED {
	if (seen.includes(value) || seen.length > 32 || Object.getOwnPropertySymbols(value).length > 0) return DECLINED;
	if (Array.isArray(value)) {
		if (Object.getPrototypeOf(value) !== Array.prototype || own.call(value, 'toString') || own.call(value, 'join')) return DECLINED;
		seen.push(value);
		let text = '';
		for (let i = 0; i < value.length; i++) {
			const element = (value as unknown[])[i];
			let part: string | typeof DECLINED;
			if (element === null || element === undefined) part = '';
			else if (typeof element === 'string') part = element;
			else if (typeof element === 'number' || typeof element === 'boolean') part = String(element);
			else if (typeof element === 'object') part = objectText(element, seen);
			else part = DECLINED;
			if (part === DECLINED) return DECLINED;
			text += i === 0 ? part : `,${part}`;
		}
		seen.pop();
		return text;
	}
	if (Object.getPrototypeOf(value) !== Object.prototype || own.call(value, 'toString') || own.call(value, 'valueOf')) return DECLINED;
	return '[object Object]';
}

/** A template part's value as n8n joins it, or DECLINED. */
function partText(value: unknown): string | typeof DECLINED {
	if (value === undefined || value === null) return '';
	switch (typeof value) {
		case 'string':
			return value;
		case 'number':
			return Number.isNaN(value) ? '' : String(value);
		case 'boolean':
			return String(value);
		case 'object':
			return objectText(value as object, []);
		default:
			return DECLINED;
	}
}

/** The value n8n gives the expression for an item whose JSON is `json`, or DECLINED. */
export function evaluateExpression(expression: FastExpression, json: unknown): unknown {
	if (expression.kind === 'text') return expression.text;
	if (expression.kind === 'single') {
		const value = readPath(json, expression.path);
		if (value === null || value === undefined) return value;
		const type = typeof value;
		return type === 'string' || type === 'number' || type === 'boolean' ? value : DECLINED;
	}
	let text = '';
	for (const part of expression.parts) {
		if (typeof part === 'string') {
			text += part;
			continue;
		}
		const value = readPath(json, part);
		if (value === DECLINED) return DECLINED;
		const rendered = partText(value);
		if (rendered === DECLINED) return DECLINED;
		text += rendered;
	}
	return text;
}
