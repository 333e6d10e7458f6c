// Confirm dialogs for forms that cannot be undone (closing a case, cancelling a notice).
// Everything works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); }
});
