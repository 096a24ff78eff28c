/**
 * A contact as the operations take it: by Bird's contact ID, or by an identifier (a phone number,
 * an email address, or key:value for any other identifier key), which Bird's contact search turns
 * into the contact.
 */
import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../shared/descriptions/node';
import { checkIdentifier } from '../../shared/descriptions/recipients';
import { normalizePhone } from '../../shared/phone';
import type { FieldRef, ItemInput } from '../../shared/validation';
import { EXAMPLES, panelText, PATTERNS } from '../../shared/validation';
import { CONTACT_IDENTIFIER_HINT } from './locators';
import type { BirdCall } from './operation';

export interface ContactIdentifier {
	key: string;
	value: string;
}

export type ContactRef = { id: string } | { identifier: ContactIdentifier };

/** `key:value` with a key as Bird's identifier keys are written (`tel:` is a phone number's prefix, not a key). */
const KEYED = /^([A-Za-z][\w.-]{0,249}):(.*)$/s;

/** An identifier written as text: key:value, an email address, or a phone number as people write it. */
export function parseIdentifier(input: ItemInput, text: string, field: FieldRef): ContactIdentifier {
	const keyed = KEYED.exec(text.trim());
	if (keyed && keyed[1].toLowerCase() !== 'tel') {
		const value = keyed[2].trim();
		if (!value) input.fail(field, `"${text}" has no value after its key`, 'telegramusername:jane');
		return { key: keyed[1], value: checkIdentifier(input, keyed[1], value, field) };
	}
	const key = text.includes('@') ? 'emailaddress' : 'phonenumber';
	return { key, value: checkIdentifier(input, key, text.trim(), field) };
}

/** What a search box's text names, if it reads as an identifier (for the contact picker's search); never fails. */
export function identifierIn(text: string): ContactIdentifier | undefined {
	const keyed = KEYED.exec(text.trim());
	if (keyed && keyed[1].toLowerCase() !== 'tel' && keyed[2].trim()) return { key: keyed[1], value: keyed[2].trim() };
	if (PATTERNS.email.test(text.trim())) return { key: 'emailaddress', value: text.trim() };
	const phone = /^[+0(]|^\d{7,}/.test(text.trim()) ? normalizePhone(text) : undefined;
	return phone && 'phone' in phone ? { key: 'phonenumber', value: phone.phone } : undefined;
}

/** The Contact picker's value: an ID (From List, By ID) or an identifier (By Identifier). */
export function readContact(input: ItemInput, path = 'contactId', label = 'Contact'): ContactRef {
	const field = { label, path };
	const byIdentifier = input.raw(`${path}.mode`) === 'identifier';
	const value = input.param(path, label, { required: true, example: byIdentifier ? EXAMPLES.e164 : EXAMPLES.uuid }) as string;
	if (byIdentifier) return { identifier: parseIdentifier(input, value, field) };
	return { id: input.uuid(value, field, { required: true }) as string };
}

/**
 * A contact typed into a filter: a contact ID (a UUID) or an identifier. Empty: no filter.
 * A custom identifier whose value is a UUID is written key:value.
 */
export function readContactText(input: ItemInput, path: string, label: string): ContactRef | undefined {
	const value = input.param(path, label, { example: CONTACT_IDENTIFIER_HINT })?.trim();
	if (!value) return undefined;
	if (PATTERNS.uuid.test(value)) return { id: value };
	return { identifier: parseIdentifier(input, value, { label, path }) };
}

/** Bird's contacts with this identifier (contact search: a POST that only reads). */
export async function searchContacts(call: BirdCall, identifier: ContactIdentifier): Promise<IDataObject[]> {
	const body = await call.read({ method: 'POST', url: `${WORKSPACE_PATH}/contacts/search`, body: { identifier } });
	return Array.isArray(body.results) ? (body.results as IDataObject[]) : [];
}

/** The error of an identifier no contact has, in the shape of Bird's own 404. */
export function noSuchContact(call: BirdCall, identifier: ContactIdentifier): NodeApiError {
	const message = `Bird knows no contact with ${identifier.key} ${identifier.value} (item ${call.itemIndex})`;
	return new NodeApiError(call.context.getNode(), { code: 'NotFound', message } as JsonObject, {
		message,
		description: panelText("Bird's contact search found nobody with this identifier in the workspace. Check the value, or create the contact first (Contact › Create or Update)."),
		httpCode: '404',
		itemIndex: call.itemIndex,
	});
}

/** The contact's ID; an identifier is looked up first, and an unknown one fails the item as Bird's 404 would. */
export async function contactIdOf(call: BirdCall, contact: ContactRef): Promise<string> {
	if ('id' in contact) return contact.id;
	const [found] = await searchContacts(call, contact.identifier);
	if (typeof found?.id !== 'string') throw noSuchContact(call, contact.identifier);
	return found.id;
}

/** A path segment of Bird's, encoded. */
export const segment = (value: string) => encodeURIComponent(value);
