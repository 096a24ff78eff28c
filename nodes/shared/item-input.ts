import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeParameterResourceLocator,
	INodeProperties,
} from 'n8n-workflow';

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

/**
 * Where n8n's routing leaves, in the request body, the value of every parameter it evaluated
 * for the item (see `withRoutedValues`). `sendThroughBird` removes it before the request goes out.
 */
export const ROUTED_VALUES = '__birdValues';

/**
 * Gives every top-level parameter a `send.property` into the body's ROUTED_VALUES. n8n's
 * routing evaluates each parameter's expressions for every item anyway; with this the preSend
 * steps read those values instead of evaluating the same expressions again through
 * getNodeParameter, which costs about half a millisecond each in n8n 2.41.
 */
export function withRoutedValues(properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) =>
		property.type === 'notice'
			? property
			: {
					...property,
					routing: {
						...property.routing,
						send: { ...property.routing?.send, type: 'body', property: `${ROUTED_VALUES}.${property.name}` },
					},
				},
	);
}

function valueAt(values: IDataObject, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (value as IDataObject | undefined)?.[key], values);
}

/**
 * Parameters of the item a declarative request is being built for: the values n8n's routing
 * already evaluated where there are any, otherwise (a parameter n8n did not route, such as one
 * hidden by displayOptions) from getNodeParameter.
 */
export function itemInputFor(context: IExecuteSingleFunctions, requestOptions?: IHttpRequestOptions): ItemInput {
	const routed = (requestOptions?.body as IDataObject | undefined)?.[ROUTED_VALUES] as IDataObject | undefined;
	return new ItemInput(context.getNode(), context.getItemIndex(), (path) =>
		routed && path.split('.')[0] in routed
			? plain(valueAt(routed, path) ?? null)
			: plain(context.getNodeParameter(path, null)),
	);
}

/** Parameters of item `itemIndex` in a programmatic node. */
export function itemInputAt(context: IExecuteFunctions, itemIndex: number): ItemInput {
	return new ItemInput(context.getNode(), itemIndex, (path) =>
		plain(context.getNodeParameter(path, itemIndex, null)),
	);
}
