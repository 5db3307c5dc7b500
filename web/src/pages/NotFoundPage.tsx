import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is nothing at this address, or you may not see it.</p>
      <p>
        <Link to="/">Go to your issues</Link>
      </p>
    </section>
  );
}
