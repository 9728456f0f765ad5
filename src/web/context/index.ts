export { ActingContextBar, ContextSelector, contextSentence, rightsSentence } from './ActingContextBar';
export {
  type ActingContext,
  type ActingState,
  CONTEXTS_KEY,
  doctorName,
  useActingContext,
  withContext,
} from './useActingContext';
