/** Renderer entry: takes the token hand-over, then mounts the app. */
import { createRoot } from 'react-dom/client';
import { takeTokenFromUrl } from './token.js';

takeTokenFromUrl();
const root = document.getElementById('root');
if (root) createRoot(root).render(<main><h1>Workspace Runtime</h1></main>);
