import { Route, Routes } from 'react-router';
import { Layout } from './layout/Layout';
import { DemoMailboxPage } from './pages/DemoMailboxPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<HomePage />} />
        <Route path="connexion" element={<SignInPage />} />
        <Route path="demo/courriels" element={<DemoMailboxPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
