import type { IDataObject, INode } from 'n8n-workflow';

import { settingInRange } from '../shared/validation';

/** Options › Max Media Size, checked (activation refuses a bad one, so deliveries read a good one). */
export function maxMediaBytes(node: INode, options: IDataObject): number {
	return settingInRange(node, options.maxMediaSizeMb, { label: 'Options › Max Media Size (MB)', fallback: 25, min: 0.001, max: 100 }) * 1_000_000;
}
