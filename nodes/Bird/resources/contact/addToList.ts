import { membership, membershipFields } from './membership';

export const fields = membershipFields('addToList');

/** `POST /workspaces/{ws}/lists/{listId}/contacts`. */
export const run = membership('POST');
