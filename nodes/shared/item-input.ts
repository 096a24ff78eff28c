import type { IExecuteFunctions, INodeParameterResourceLocator, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

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

/**
 * Reads the parameters of a programmatic node's items. A parameter without an expression has
 * the same value for every item: it is read from n8n once per execution and shared. Only
 * parameters holding an expression are evaluated per item. (n8n evaluates each parameter read
 * in its expression engine, which in n8n 2.x runs in an isolated VM: reading every parameter
 * for every item was most of a bulk send's cost.) Values are shared between items, so callers
 * must not change them.
 */
export function itemInputs(context: IExecuteFunctions): (itemIndex: number) => ItemInput {
	const node = context.getNode();
	const constant = new Map<string, unknown>();
	return (itemIndex) =>
		new ItemInput(node, itemIndex, (path) => {
			if (hasExpression(stored(node.parameters, path))) return plain(context.getNodeParameter(path, itemIndex, null));
			if (!constant.has(path)) constant.set(path, plain(context.getNodeParameter(path, itemIndex, null)));
			return constant.get(path);
		}, context);
}
