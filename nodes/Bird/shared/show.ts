import type { IDisplayOptions, NodeParameterValue } from 'n8n-workflow';

/** Shows a field for some operations of one resource (and, optionally, when other fields have given values). */
export function showFor(resource: string, operations: string[], more: Record<string, NodeParameterValue[]> = {}): IDisplayOptions {
	return { show: { resource: [resource], operation: operations, ...more } };
}
