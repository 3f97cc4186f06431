/**
 * The state of "ask, confirm, show the refusal" around a ConfirmDialog: what the person is about
 * to act on, whether the dialog is open, and the API's refusal to show in it. Bind the dialog's
 * `open` to `open` and pass `error`.
 */
export class PendingConfirmation<Subject> {
  subject = $state<Subject | undefined>();
  open = $state(false);
  error = $state<string | undefined>();

  /** Opens the dialog about `subject`, without the previous attempt's refusal. */
  ask(subject: Subject): void {
    this.subject = subject;
    this.error = undefined;
    this.open = true;
  }
}
