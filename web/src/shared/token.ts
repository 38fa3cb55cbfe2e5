/** Where the pages keep the pasted access token: this browser tab only (sessionStorage). */
export const TOKEN_KEY = 'shuangsui.token';
