import type { IExecuteFunctions, INodeExecutionData, INodeParameterResourceLocator, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

import type { FastExpression } from './fastExpressions';
import { compileExpression, DECLINED, evaluateExpression } from './fastExpressions';
import { ItemInput } from './validation';

/**
 * A parameter's value as the checks want it: a resource locator becomes the value the user
 * picked or typed (our locators have no extraction regex), and hidden or empty becomes
 * undefined. n8n's own `extractValue` option is not used because it throws for parameters
 * that are hidden by displayOptions, which optional fields often are.
 */
function plain(value: unknown): unknown {
	if (value && typeof value === 'object' && (value as INodeParameterResourceLocator).__rl) {
		return (value as INodeParameterResourceLocator).value;
	}
	return value === null ? undefined : value;
}

/** Whether a stored parameter value (at any depth) holds an n8n expression. */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** The stored value at a parameter path such as `options.tags` or `images.image[0].mediaUrl`. */
function stored(parameters: INodeParameters, path: string): NodeParameterValueType | undefined {
	let value: unknown = parameters;
	for (const part of path.split('.')) {
		const [, name, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(part) ?? [];
		value = (value as Record<string, unknown> | undefined)?.[name];
		if (index !== undefined) value = (value as unknown[] | undefined)?.[Number(index)];
		if (value === undefined) return undefined;
	}
	return value as NodeParameterValueType;
}

/** A parameter whose expression is read without n8n (`fastExpressions.ts`). */
interface FastRead {
	expression: FastExpression;
	/** The stored resource locator whose `value` is the expression: n8n resolves the locator as a whole. */
	locator?: INodeParameterResourceLocator;
	/** n8n gave the same value for the first item read this way. */
	confirmed: boolean;
}

/** How a stored value holding an expression can be read without n8n, or null. String leaves only. */
function fastReadOf(value: unknown): FastRead | null {
	if (typeof value === 'string') {
		const expression = compileExpression(value);
		return expression ? { expression, confirmed: false } : null;
	}
	if (value && typeof value === 'object' && !Array.isArray(value) && (value as INodeParameterResourceLocator).__rl === true) {
		const { value: inner, ...rest } = value as INodeParameterResourceLocator;
		if (typeof inner !== 'string' || hasExpression(rest)) return null;
		const expression = compileExpression(inner);
		return expression ? { expression, locator: value as INodeParameterResourceLocator, confirmed: false } : null;
	}
	return null;
}

const own = Object.prototype.hasOwnProperty;

/** Equal values of the same types (-0 and 0 differ), objects compared key by key. */
function same(a: unknown, b: unknown): boolean {
	if (Object.is(a, b)) return true;
	if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
	const keys = Object.keys(a);
	return (
		keys.length === Object.keys(b).length &&
		keys.every((key) => own.call(b, key) && same((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
	);
}

/**
 * Whether n8n's `$json` reads `items`. n8n resolves `$json` from its `connectionInputData`, the
 * node's input for a node run in a workflow; a node run as an AI agent's tool gets the agent's
 * items there and the tool call as its input. `$thisItem` is `connectionInputData[itemIndex]`.
 */
function readsSameItems(context: IExecuteFunctions, items: INodeExecutionData[]): boolean {
	if (!items.length) return false;
	try {
		const last = items.length - 1;
		return context.getWorkflowDataProxy(0).$thisItem === items[0] && context.getWorkflowDataProxy(last).$thisItem === items[last];
	} catch {
		return false;
	}
}

/**
 * Reads a parameter holding an expression for one item: what n8n's getNodeParameter returns.
 *
 * Most expressions of a bulk send only read the input item (`={{ $json.phone }}`,
 * `=Hi {{ $json.name }}`). Those are resolved from the item itself, to the value n8n gives them
 * (see fastExpressions.ts); anything else, and any item whose data the fast path does not
 * reproduce exactly, is read from n8n as before. `$json` is the item at the same index of the
 * node's input (n8n's `connectionInputData`, which for a node with one input is
 * `getInputData()`, checked by `readsSameItems`); with Execute Once, n8n is asked. Only string
 * values and resource locators holding one are read this way (never a collection or list as a
 * whole), and only for properties without n8n's `validateType` (none in this package: n8n would
 * convert or refuse such values after evaluating them). The first item read this way is also read
 * from n8n, and n8n's value is the one used: if the two differ (an n8n whose semantics changed),
 * the parameter goes back to n8n for the rest of the execution.
 */
function expressionReader(context: IExecuteFunctions, enabled: boolean): (path: string, value: unknown, itemIndex: number) => unknown {
	const fromN8n = (path: string, itemIndex: number): unknown => context.getNodeParameter(path, itemIndex, null);
	if (!enabled || context.getNode().executeOnce === true) return (path, _value, itemIndex) => fromN8n(path, itemIndex);
	const reads = new Map<string, FastRead | null>();
	/** The node's input items, once the first expression is read and only if `$json` reads them. */
	let items: INodeExecutionData[] | null | undefined;
	return (path, value, itemIndex) => {
		if (items === undefined) {
			const input = context.getInputData();
			items = readsSameItems(context, input) ? input : null;
		}
		if (!items) return fromN8n(path, itemIndex);
		let read = reads.get(path);
		if (read === undefined) {
			read = fastReadOf(value);
			reads.set(path, read);
		}
		const json: unknown = items[itemIndex]?.json;
		if (!read || !json || typeof json !== 'object') return fromN8n(path, itemIndex);
		const result = evaluateExpression(read.expression, json);
		if (result === DECLINED) return fromN8n(path, itemIndex);
		const fast = read.locator ? { ...read.locator, value: result } : result;
		if (read.confirmed) return fast;
		const n8n = fromN8n(path, itemIndex);
		if (same(fast, n8n)) read.confirmed = true;
		else reads.set(path, null);
		return n8n;
	};
}

/**
 * Reads the parameters of a programmatic node's items. A parameter without an expression has
 * the same value for every item: it is read from n8n once per execution and shared. Only
 * parameters holding an expression are evaluated per item, those that only read the item
 * without n8n (`expressionReader`). (n8n evaluates each parameter read in its expression
 * engine, which in n8n 2.x runs in an isolated VM: reading every parameter for every item was
 * most of a bulk send's cost.) Values are shared between items, so callers must not change them.
 * `fastExpressions: false` has n8n evaluate every expression (for tests and comparisons).
 */
export function itemInputs(context: IExecuteFunctions, options: { fastExpressions?: boolean } = {}): (itemIndex: number) => ItemInput {
	const node = context.getNode();
	const constant = new Map<string, unknown>();
	const perItem = expressionReader(context, options.fastExpressions !== false);
	return (itemIndex) =>
		new ItemInput(node, itemIndex, (path) => {
			const value = stored(node.parameters, path);
			if (hasExpression(value)) return plain(perItem(path, value, itemIndex));
			if (!constant.has(path)) constant.set(path, plain(context.getNodeParameter(path, itemIndex, null)));
			return constant.get(path);
		}, context);
}
