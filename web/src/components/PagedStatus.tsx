import type { ReactNode } from 'react';
import type { Paged } from '../paged.ts';
import { Empty, ErrorMessage, Loading } from './Status.tsx';

/** Loading, error, empty and "Load more" around a paged list; children render the items. */
export function PagedStatus<T>({ list, what, empty, children }: { list: Paged<T>; what: string; empty: ReactNode; children: ReactNode }) {
  return (
    <>
      <ErrorMessage message={list.error} onRetry={() => void list.reload()} />
      {!list.loaded && list.error === null && <Loading what={what} />}
      {list.loaded && list.items.length === 0 && <Empty>{empty}</Empty>}
      {list.loaded && list.items.length > 0 && children}
      {list.more && (
        <div className="toolbar">
          <button type="button" className="secondary" disabled={list.loading} onClick={() => void list.loadMore()}>{list.loading ? 'Loading…' : 'Load more'}</button>
        </div>
      )}
    </>
  );
}
