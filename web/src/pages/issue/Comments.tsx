import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { addComment, comments, deleteComment, editComment, type Comment } from '../../api/issues';
import { ErrorMessage } from '../../components/ErrorMessage';
import { RelativeTime } from '../../components/RelativeTime';
import { useCurrentUser } from '../../session';

/**
 * The issue's comments, newest first. Those who may change issues add comments; each person edits
 * and deletes only their own (the API refuses anyone else's, so the page doesn't offer it).
 */
export function Comments({ issueId, canWrite }: { issueId: string; canWrite: boolean }) {
  const me = useCurrentUser().data;
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['comments', issueId], queryFn: () => comments(issueId) });
  // The activity lists comments too (as notes), so it follows every change to them.
  const refresh = async () => {
    await Promise.all(
      ['comments', 'activity'].map((key) => queryClient.invalidateQueries({ queryKey: [key, issueId] })),
    );
  };
  const add = useMutation({ mutationFn: (text: string) => addComment(issueId, text), onSuccess: refresh });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const text = String(new FormData(form).get('text') ?? '').trim();
    if (text) add.mutate(text, { onSuccess: () => form.reset() });
  };

  return (
    <section aria-label="Comments">
      {canWrite && (
        <form className="comment-form" onSubmit={submit}>
          <label>
            Add a comment
            <textarea name="text" rows={3} required />
          </label>
          <button type="submit" disabled={add.isPending}>
            Comment
          </button>
          <ErrorMessage error={add.error} />
        </form>
      )}
      <ErrorMessage error={list.error} />
      {list.data?.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comments">
        {list.data?.map((comment) => (
          <CommentItem
            key={comment.id}
            issueId={issueId}
            comment={comment}
            mine={canWrite && me !== undefined && comment.user?.id === String(me.id)}
            onChanged={refresh}
          />
        ))}
      </ol>
    </section>
  );
}

function CommentItem({
  issueId,
  comment,
  mine,
  onChanged,
}: {
  issueId: string;
  comment: Comment;
  mine: boolean;
  onChanged: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const edit = useMutation({
    mutationFn: (text: string) => editComment(issueId, comment.id, text),
    onSuccess: async () => {
      await onChanged();
      setEditing(false);
    },
  });
  const remove = useMutation({ mutationFn: () => deleteComment(issueId, comment.id), onSuccess: onChanged });
  const author = comment.user ? comment.user.name || comment.user.email : 'someone no longer here';

  return (
    <li className="comment">
      <p className="muted">
        {author} · <RelativeTime iso={comment.dateCreated} />
      </p>
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            edit.mutate(String(new FormData(event.currentTarget).get('text') ?? '').trim());
          }}
        >
          <label>
            Edit comment
            <textarea name="text" rows={3} defaultValue={comment.data.text} required />
          </label>
          <button type="submit" disabled={edit.isPending}>
            Save
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <p className="comment-text">{comment.data.text}</p>
      )}
      {mine && !editing && (
        <div className="comment-actions">
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button
            type="button"
            className="secondary"
            disabled={remove.isPending}
            onClick={() => remove.mutate()}
          >
            Delete
          </button>
        </div>
      )}
      <ErrorMessage error={edit.error ?? remove.error} />
    </li>
  );
}
