import type { IExecuteFunctions, IExecuteSingleFunctions, INodeParameterResourceLocator } from 'n8n-workflow';

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

/** Parameters of the item a declarative request is being built for. */
export function itemInputFor(context: IExecuteSingleFunctions): ItemInput {
	return new ItemInput(context.getNode(), context.getItemIndex(), (path) =>
		plain(context.getNodeParameter(path, null)),
	);
}

/** Parameters of item `itemIndex` in a programmatic node. */
export function itemInputAt(context: IExecuteFunctions, itemIndex: number): ItemInput {
	return new ItemInput(context.getNode(), itemIndex, (path) =>
		plain(context.getNodeParameter(path, itemIndex, null)),
	);
}
