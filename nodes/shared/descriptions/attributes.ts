/** The reader of key and value rows (a contact's or a conversation's attributes). */
import type { IDataObject } from 'n8n-workflow';

import type { ItemInput } from '../validation';

type Scalar = string | number | boolean;
const isScalar = (value: unknown): value is Scalar => ['string', 'number', 'boolean'].includes(typeof value);

/**
 * The attribute rows at `path` (`attributes` or `updateFields.attributes`), or undefined when
 * there are none. Contacts take text, numbers, true/false and non-empty lists of them (Bird's
 * attribute values); `asText` sends every value as text (a conversation's attributes are text). An
 * object is refused with its row, never sent as "[object Object]".
 */
export function readAttributes(
	input: ItemInput,
	path: string,
	label: string,
	{ asText = false, examples = ['firstName', 'Jane'] }: { asText?: boolean; examples?: [key: string, value: string] } = {},
): IDataObject | undefined {
	const attributes: IDataObject = {};
	input.entries(`${path}.attribute`).forEach((entry, index) => {
		const at = `${path}.attribute[${index}]`;
		const name = `${label} › Attribute ${index + 1}`;
		const key = input.text(entry.key, { label: `${name} › Key`, path: `${at}.key` }, { required: true, example: examples[0] }) as string;
		const value: unknown = entry.value ?? '';
		const valid = isScalar(value) || (Array.isArray(value) && value.length > 0 && value.every(isScalar));
		if (!valid) {
			input.fail({ label: `${name} › Value`, path: `${at}.value` }, `${JSON.stringify(value)} is not text, a number, true/false or a non-empty list of those`, examples[1]);
		}
		attributes[key.trim()] = asText ? (Array.isArray(value) ? value.join(',') : String(value)) : (value as IDataObject[keyof IDataObject]);
	});
	return Object.keys(attributes).length ? attributes : undefined;
}
