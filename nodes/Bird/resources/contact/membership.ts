/**
 * What Add to List and Remove From List share: a list and a contact (by ID or identifier: Bird's
 * list endpoints take either, so an identifier needs no search), and one request to
 * `/workspaces/{ws}/lists/{listId}/contacts` with `{contacts: [id]}` or `{identifiers: [{key, value}]}`.
 * Bird answers `{itemsProcessed}`, kept in the output: fewer than sent means Bird did not process
 * the contact (its docs say no more; the sandbox leaves out contacts it does not know).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { readContact, segment } from '../../shared/contactRef';
import { contactLocator, listLocator } from '../../shared/locators';
import type { AnyOperation } from '../../shared/operation';
import { operation } from '../../shared/operation';
import { showFor } from '../../shared/show';

export function membershipFields(operationName: string): INodeProperties[] {
	const show = showFor('contact', [operationName]);
	return [listLocator({ displayOptions: show }), contactLocator({ displayOptions: show })];
}

export function membership(method: 'POST' | 'DELETE'): AnyOperation {
	return operation({
		readsOnly: false,
		prepare(input: ItemInput): { listId: string; contact: ContactRef } {
			const listId = input.uuid(input.raw('listId'), { label: 'List', path: 'listId' }, { required: true }) as string;
			return { listId, contact: readContact(input) };
		},
		async send({ listId, contact }, call) {
			const body: IDataObject = 'id' in contact ? { contacts: [contact.id] } : { identifiers: [contact.identifier] };
			const { json } = await call.write({ method, url: `${WORKSPACE_PATH}/lists/${segment(listId)}/contacts`, body });
			return { json: { listId, ...('id' in contact ? { contactId: contact.id } : { identifier: { ...contact.identifier } }), ...json } };
		},
	});
}
