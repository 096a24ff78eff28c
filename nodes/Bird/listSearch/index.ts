export { searchContacts } from './searchContacts';
export { searchConversations } from './searchConversations';
export { getLists, searchLists } from './searchLists';
export { searchMessages } from './searchMessages';
