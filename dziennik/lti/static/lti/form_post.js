// The launch's answer to the tool (OIDC form_post): post it at once; the button stays
// for a browser without scripts.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("lti-form-post");
  if (form) {
    form.submit();
  }
});
