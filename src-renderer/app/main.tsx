/** Renderer entry: takes the token hand-over, resolves the runtime connection, then mounts the app. */
import { createRoot } from 'react-dom/client';
import { setConnection } from '../api/client.js';
import { resolveConnection } from '../api/connection.js';
import { Layout } from './layout.js';
import { Providers } from './providers.js';
import { createQueryClient } from './query-client.js';
import { eventHandlers } from './event-handlers.js';
import { takeTokenFromUrl } from './token.js';
import { preloadView } from './views.js';
import './styles.css';

takeTokenFromUrl();
// Fetch the visible view's code while the connection and the first queries resolve.
preloadView(window.location.hash.replace(/^#\/?/, '').split('/')[0] || 'files');
const root = document.getElementById('root');
if (root) {
  const connection = await resolveConnection();
  setConnection(connection);
  const queryClient = createQueryClient();
  createRoot(root).render(
    connection.token ? (
      <Providers queryClient={queryClient} handlers={eventHandlers}>
        <Layout />
      </Providers>
    ) : (
      <main className="empty-state" style={{ marginTop: '15vh' }}>
        <h1>Workspace Runtime</h1>
        <p>This page needs the runtime's token. Open it as <code>/?token=&lt;token&gt;</code>; the token is in <code>runtime.json</code> in the runtime's data folder.</p>
      </main>
    ),
  );
}
