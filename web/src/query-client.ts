import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/http';
import { subscribeConnectivity, isServerUnreachable } from './api/connectivity';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // An API error is an answer (shown in words), not worth asking again; an unreachable server is
      // retried by the connectivity probe, which refetches everything once it answers again.
      retry: false,
      refetchOnWindowFocus: (query) => !(query.state.error instanceof ApiError),
      staleTime: 5_000,
    },
  },
});

subscribeConnectivity(() => {
  if (!isServerUnreachable()) void queryClient.refetchQueries({ type: 'active' });
});
