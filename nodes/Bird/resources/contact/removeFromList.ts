import { membership, membershipFields } from './membership';

export const fields = membershipFields('removeFromList');

/** `DELETE /workspaces/{ws}/lists/{listId}/contacts`. */
export const run = membership('DELETE');
