import type { INodeProperties } from 'n8n-workflow';

import type { FieldRef, ItemInput } from '../validation';
import { normalizePhone } from '../phone';
import { EXAMPLES, PATTERNS } from '../validation';

export interface Identifier {
	identifierKey: string;
	identifierValue: string;
}

/** Per identifier type: the example a field shows, and what it takes. */
const IDENTIFIER_EXAMPLES: Array<[string, string, string]> = [
	['phonenumber', `e.g. ${EXAMPLES.e164}`, `A phone number in E.164 format: +, country code, number (e.g. ${EXAMPLES.e164}). Written as people write them is fine: spaces, dots, dashes, brackets, 00 for + and a (0) after the country code are understood.`],
	['emailaddress', `e.g. ${EXAMPLES.email}`, 'An email address'],
	['custom', 'e.g. the value of your identifier key', 'The value of the identifier key entered above'],
];

/**
 * Who a message goes to (or a conversation is with, or whose window is checked): an
 * identifier key and one or more values. Parameters: identifierKey, customIdentifierKey,
 * identifierValue.
 */
export function identifierFields(opts: {
	valueLabel: string;
	multiple: boolean;
	required?: boolean;
	displayOptions?: INodeProperties['displayOptions'];
}): INodeProperties[] {
	const several = opts.multiple ? ' Separate several with commas.' : '';
	return [
		{
			displayName: 'Identifier Type',
			name: 'identifierKey',
			type: 'options',
			options: [
				{ name: 'Phone Number', value: 'phonenumber' },
				{ name: 'Email Address', value: 'emailaddress' },
				{ name: 'Other Identifier', value: 'custom', description: 'A custom identifier key of your workspace' },
			],
			default: 'phonenumber',
			displayOptions: opts.displayOptions,
		},
		{
			displayName: 'Identifier Key',
			name: 'customIdentifierKey',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. telegramusername',
			description: 'The identifier key as defined in your Bird workspace',
			displayOptions: {
				...opts.displayOptions,
				show: { ...opts.displayOptions?.show, identifierKey: ['custom'] },
			},
		},
		// One definition per identifier type, so that the example fits what is asked for.
		...IDENTIFIER_EXAMPLES.map(
			([key, placeholder, what]): INodeProperties => ({
				displayName: opts.valueLabel,
				name: 'identifierValue',
				type: 'string',
				default: '',
				required: opts.required ?? true,
				placeholder,
				description: `${what}${several}`,
				displayOptions: { ...opts.displayOptions, show: { ...opts.displayOptions?.show, identifierKey: [key] } },
			}),
		),
	];
}

/** Checks one identifier value against its key; phone numbers are read as people write them (phone.ts). */
export function checkIdentifier(input: ItemInput, key: string, value: string, field: FieldRef): string {
	if (key === 'phonenumber') {
		const read = normalizePhone(value);
		if ('problem' in read) input.fail(field, `"${value}" ${read.problem}`, read.example ?? EXAMPLES.e164);
		return 'phone' in read ? read.phone : value;
	}
	if (key === 'emailaddress' && !PATTERNS.email.test(value)) {
		input.fail(field, `"${value}" is not an email address`, EXAMPLES.email);
	}
	return value;
}

/** Splits a comma-separated identifier parameter and checks every value. */
export function readIdentifierList(
	input: ItemInput,
	path: string,
	label: string,
	opts: { required: boolean; max?: number },
): Identifier[] {
	const identifierKey = readIdentifierKey(input);
	const raw = input.param(path, label, { required: opts.required, example: EXAMPLES.e164 }) ?? '';
	const values = raw
		.split(',')
		.map((value) => value.trim())
		.filter(Boolean);
	// Text with only commas and spaces (an expression whose fields were all missing) names nobody:
	// neither "nobody" nor, where empty means everyone, "everyone".
	if (!values.length && raw.trim()) input.fail({ label, path }, `"${raw.trim()}" holds no value between its commas`, EXAMPLES.e164);
	if (opts.max !== undefined && values.length > opts.max) {
		input.fail({ label, path }, `has ${values.length} values; at most ${opts.max} are allowed`, EXAMPLES.e164);
	}
	return values.map((value) => ({
		identifierKey,
		identifierValue: checkIdentifier(input, identifierKey, value, { label, path }),
	}));
}

export function readIdentifierKey(input: ItemInput): string {
	const key = input.param('identifierKey', 'Identifier Type') ?? 'phonenumber';
	if (key !== 'custom') return key;
	const custom = input.param('customIdentifierKey', 'Identifier Key', {
		required: true,
		example: 'telegramusername',
	}) as string;
	return custom.trim();
}
