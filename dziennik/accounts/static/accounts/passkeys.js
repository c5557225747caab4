// Passkeys (WebAuthn) on the account's passkey page, the login page and the login's
// second step (accounts/views_passkeys.py). A form marked data-passkey="register" or
// data-passkey="login" is submitted in two steps: on submit the script asks the form's
// data-options-url for a challenge, lets the browser talk to the authenticator, puts the
// answer (JSON, binary parts as base64url) into the form's hidden "credential" field and
// submits the form, which the server checks. Without WebAuthn the forms stay hidden or
// disabled and the page says so; nothing else on the page depends on this script.
(function () {
  "use strict";
  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeList(list) {
    (list || []).forEach(function (item) {
      item.id = toBuffer(item.id);
    });
  }

  function create(options) {
    options.challenge = toBuffer(options.challenge);
    options.user.id = toBuffer(options.user.id);
    decodeList(options.excludeCredentials);
    return navigator.credentials.create({ publicKey: options }).then(function (credential) {
      var response = credential.response;
      return {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || null,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: toText(response.clientDataJSON),
          attestationObject: toText(response.attestationObject),
          transports: response.getTransports ? response.getTransports() : [],
        },
      };
    });
  }

  function get(options) {
    options.challenge = toBuffer(options.challenge);
    decodeList(options.allowCredentials);
    return navigator.credentials.get({ publicKey: options }).then(function (credential) {
      var response = credential.response;
      return {
        id: credential.id,
        rawId: toText(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment || null,
        clientExtensionResults: credential.getClientExtensionResults(),
        response: {
          clientDataJSON: toText(response.clientDataJSON),
          authenticatorData: toText(response.authenticatorData),
          signature: toText(response.signature),
          userHandle: toText(response.userHandle),
        },
      };
    });
  }

  function showError(form, text) {
    var box = form.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = text || box.getAttribute("data-default");
    // The error style only while shown: an empty, hidden box is no error of the form.
    box.className = "errorlist nonfield";
    box.hidden = false;
  }

  function begin(form) {
    var kind = form.getAttribute("data-passkey");
    var button = form.querySelector("button[type=submit]");
    var body = new URLSearchParams();
    var step = form.querySelector("input[name=step]");
    if (step) body.append("step", step.value);
    button.disabled = true;
    fetch(form.getAttribute("data-options-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": form.querySelector("input[name=csrfmiddlewaretoken]").value,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            var type = response.headers.get("Content-Type") || "";
            throw new Error(type.indexOf("text/plain") === 0 ? text : "");
          });
        }
        return response.json();
      })
      .then(function (options) {
        return kind === "register" ? create(options) : get(options);
      })
      .then(function (answer) {
        form.querySelector("input[name=credential]").value = JSON.stringify(answer);
        form.setAttribute("data-passkey-ready", "1");
        form.submit();
      })
      .catch(function (error) {
        button.disabled = false;
        showError(form, error && error.name === "Error" ? error.message : "");
      });
  }

  document.querySelectorAll("[data-passkey-supported]").forEach(function (element) {
    element.hidden = !supported;
  });
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
    element.hidden = supported;
  });
  document.querySelectorAll("form[data-passkey]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-passkey-ready") === "1") return;
      var name = form.querySelector("input[name=name]");
      // Without a name the server only answers what is missing: no ceremony first.
      if (name && !name.value.trim()) return;
      event.preventDefault();
      if (!supported) {
        showError(form, "");
        return;
      }
      begin(form);
    });
  });
})();
